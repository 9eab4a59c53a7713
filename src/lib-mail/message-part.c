/* Copyright (c) dovecot-like authors. message-part.c: walking the MIME tree
   by IMAP section numbers, and the cache form of the tree, which is read
   back from disk and so is checked as untrusted input. */
#include "lib.h"
#include "buffer.h"
#include "array.h"
#include "message-part.h"

#define MESSAGE_PART_SERIALIZE_VERSION 1
#define MESSAGE_PART_KNOWN_FLAGS 0xef

/* one part, in pre-order, host byte order */
struct message_part_record {
	uint64_t physical_pos;
	uint64_t hdr_physical, hdr_virtual;
	uint64_t body_physical, body_virtual;
	uint32_t hdr_lines, body_lines;
	uint32_t flags;
	uint32_t children_count;
};

/* Parses the next number of "1.2.3"; NULL at a syntax error. RFC 3501:
   nz-number, so no 0 and no leading zeros. */
static const char *section_next_number(const char *p, unsigned int *num_r)
{
	unsigned int num = 0;

	if (*p < '1' || *p > '9')
		return NULL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (num > 100000000)
			return NULL;	/* far beyond any part count */
		num = num * 10 + (unsigned int)(*p - '0');
	}
	if (*p == '.') {
		p++;
		if (*p == '\0')
			return NULL;
	} else if (*p != '\0') {
		return NULL;
	}
	*num_r = num;
	return p;
}

struct message_part *message_part_by_section(struct message_part *root,
					     const char *section)
{
	struct message_part *part = root;
	unsigned int num;
	const char *p = section;

	if (*p == '\0')
		return NULL;
	while (*p != '\0' && part != NULL) {
		p = section_next_number(p, &num);
		if (p == NULL)
			return NULL;
		if ((part->flags & MESSAGE_PART_FLAG_MULTIPART) != 0) {
			for (part = part->children; part != NULL && num > 1; num--)
				part = part->next;
		} else if (num != 1) {
			/* RFC 3501 6.4.5: a non-multipart body is part 1 only */
			return NULL;
		}
		if (part != NULL && *p != '\0' &&
		    (part->flags & MESSAGE_PART_FLAG_MESSAGE_RFC822) != 0) {
			/* deeper numbers address the enclosed message */
			part = part->children;
		}
	}
	return part;
}

static void serialize_part(const struct message_part *part, struct buf *dest)
{
	struct message_part_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.physical_pos = part->physical_pos;
	rec.hdr_physical = part->header_size.physical_size;
	rec.hdr_virtual = part->header_size.virtual_size;
	rec.hdr_lines = part->header_size.lines;
	rec.body_physical = part->body_size.physical_size;
	rec.body_virtual = part->body_size.virtual_size;
	rec.body_lines = part->body_size.lines;
	rec.flags = part->flags;
	rec.children_count = part->children_count;
	(void)buf_append(dest, &rec, sizeof(rec));
}

void message_part_serialize(const struct message_part *root, struct buf *dest)
{
	const struct message_part *part = root;
	uint32_t version = MESSAGE_PART_SERIALIZE_VERSION;

	(void)buf_append(dest, &version, sizeof(version));
	/* iterative pre-order walk: depth isn't bounded by the stack */
	while (part != NULL) {
		serialize_part(part, dest);
		if (part->children != NULL) {
			part = part->children;
			continue;
		}
		while (part != NULL && part != root && part->next == NULL)
			part = part->parent;
		if (part == NULL || part == root)
			break;
		part = part->next;
	}
}

static bool size_valid(uint64_t physical, uint64_t virtual_size, uint32_t lines)
{
	/* every LF is at most one extra virtual byte */
	return virtual_size >= physical && lines <= physical &&
		virtual_size - physical <= lines &&
		physical <= (uint64_t)1 << 62 && virtual_size <= (uint64_t)1 << 62;
}

/* Checks one record on its own and against its parent / previous sibling. */
static const char *
record_check(const struct message_part_record *rec,
	     const struct message_part *parent, const struct message_part *prev)
{
	uint64_t end, parent_body, parent_end;

	if ((rec->flags & ~(uint32_t)MESSAGE_PART_KNOWN_FLAGS) != 0)
		return "unknown flags";
	if (!size_valid(rec->hdr_physical, rec->hdr_virtual, rec->hdr_lines) ||
	    !size_valid(rec->body_physical, rec->body_virtual, rec->body_lines))
		return "invalid size";
	if (rec->physical_pos > (uint64_t)1 << 62)
		return "invalid offset";
	end = rec->physical_pos + rec->hdr_physical + rec->body_physical;
	if (rec->children_count > 0 &&
	    (rec->flags & (MESSAGE_PART_FLAG_MULTIPART |
			   MESSAGE_PART_FLAG_MESSAGE_RFC822)) == 0)
		return "children in a non-multipart part";
	if ((rec->flags & MESSAGE_PART_FLAG_MESSAGE_RFC822) != 0 &&
	    rec->children_count > 1)
		return "message/rfc822 with several children";
	if (parent == NULL)
		return rec->physical_pos == 0 ? NULL : "root not at offset 0";
	parent_body = parent->physical_pos + parent->header_size.physical_size;
	parent_end = parent_body + parent->body_size.physical_size;
	if (rec->physical_pos < parent_body || end > parent_end)
		return "part outside its parent";
	if (prev != NULL && rec->physical_pos < prev->physical_pos +
	    prev->header_size.physical_size + prev->body_size.physical_size)
		return "overlapping parts";
	return NULL;
}

static void record_to_part(const struct message_part_record *rec,
			   struct message_part *part)
{
	part->physical_pos = rec->physical_pos;
	part->header_size.physical_size = rec->hdr_physical;
	part->header_size.virtual_size = rec->hdr_virtual;
	part->header_size.lines = rec->hdr_lines;
	part->body_size.physical_size = rec->body_physical;
	part->body_size.virtual_size = rec->body_virtual;
	part->body_size.lines = rec->body_lines;
	part->flags = rec->flags;
}

/* an ancestor still waiting for children */
struct deserialize_level {
	struct message_part *part, *last_child;
	uint32_t children_left;
};

struct message_part *message_part_deserialize(struct pool *pool,
					      const void *data, size_t size,
					      const char **error_r)
{
	const unsigned char *p = data, *end = p + size;
	ARRAY(struct deserialize_level) stack;
	struct deserialize_level *level;
	struct message_part_record rec;
	struct message_part *root = NULL, *part, *parent, *prev;
	uint32_t version;
	unsigned int count;
	const char *error = NULL;

	if (size < sizeof(version)) {
		*error_r = "too short";
		return NULL;
	}
	memcpy(&version, p, sizeof(version));
	p += sizeof(version);
	if (version != MESSAGE_PART_SERIALIZE_VERSION) {
		*error_r = "unknown version";
		return NULL;
	}
	array_init(&stack, system_pool, 8);
	do {
		if ((size_t)(end - p) < sizeof(rec)) {
			error = "truncated";
			break;
		}
		memcpy(&rec, p, sizeof(rec));
		p += sizeof(rec);
		count = array_count(&stack);
		level = count == 0 ? NULL : array_idx_modifiable(&stack, count - 1);
		parent = level == NULL ? NULL : level->part;
		prev = level == NULL ? NULL : level->last_child;
		if ((error = record_check(&rec, parent, prev)) != NULL)
			break;
		if (rec.children_count > (size_t)(end - p) / sizeof(rec)) {
			error = "more children than data";
			break;
		}
		part = pool_new(pool, struct message_part, 1);
		record_to_part(&rec, part);
		part->parent = parent;
		if (level == NULL) {
			root = part;
		} else {
			if (prev == NULL)
				parent->children = part;
			else
				prev->next = part;
			parent->children_count++;
			level->last_child = part;
			level->children_left--;
		}
		/* pop finished levels, then descend into this part */
		while ((count = array_count(&stack)) > 0 &&
		       array_idx(&stack, count - 1)->children_left == 0)
			array_delete(&stack, count - 1, 1);
		if (rec.children_count > 0) {
			level = array_append_space(&stack);
			level->part = part;
			level->children_left = rec.children_count;
		}
	} while (array_count(&stack) > 0);
	array_free(&stack);
	if (error == NULL && p != end)
		error = "trailing data";
	if (error != NULL) {
		*error_r = error;
		return NULL;
	}
	return root;
}
