/* Copyright (c) dovecot-like authors. mail-thread.c: RFC 5256 section 3.
   Every message becomes a container holding its sent date (Date: in UTC,
   else INTERNALDATE) and base subject; REFERENCES adds dummy containers
   for Message-IDs that no message in the set has, links them by the
   References / In-Reply-To chains (never making a loop), prunes the
   dummies, groups the roots by base subject and sorts every sibling list
   by sent date (ties in mailbox order). The header fields come through
   mail_get_first_header_values(), so from the cache file once kept. */
#include "lib.h"
#include "str.h"
#include "hash.h"
#include "mempool.h"
#include "message-date.h"
#include "imap-base-subject.h"
#include "mail-storage.h"
#include "mail-fetch-cache.h"
#include "mail-thread.h"

#include <strings.h>

#define MAIL_THREAD_MAX_HEADER_SIZE (64 * 1024)

enum thread_header {
	THREAD_HDR_MESSAGE_ID = 0,
	THREAD_HDR_IN_REPLY_TO,
	THREAD_HDR_REFERENCES,
	THREAD_HDR_SUBJECT,
	THREAD_HDR_DATE,
	THREAD_HDR_COUNT
};

static const char *const thread_header_names[THREAD_HDR_COUNT] = {
	"Message-ID", "In-Reply-To", "References", "Subject", "Date",
};

struct thread_container {
	struct mail_thread_node node;	/* seq 0 = dummy */
	struct thread_container *parent, *first_child, *next;
	/* a hint for appends: valid while it still has this parent and no
	   next (every list relink keeps parent pointers right) */
	struct thread_container *last_child;
	time_t sent;
	const char *subject;		/* base subject */
	bool is_reply;			/* its subject had a leader/trailer */
	unsigned int root_idx;		/* step 5: its place among the roots */
};

struct thread_ctx {
	struct mailbox *box;
	struct pool *pool;
	struct pool *msg_pool;		/* cleared per message */
	struct hash_table *ids;		/* msg-id -> container */
	ARRAY(struct thread_container *) all;
	/* reused by every sibling sort */
	ARRAY(struct thread_container *) sort_buf;
};

bool mail_thread_type_parse(const char *name, enum mail_thread_type *type_r)
{
	if (strcasecmp(name, "REFERENCES") == 0)
		*type_r = MAIL_THREAD_REFERENCES;
	else if (strcasecmp(name, "ORDEREDSUBJECT") == 0)
		*type_r = MAIL_THREAD_ORDEREDSUBJECT;
	else
		return false;
	return true;
}

/* The next "<left@right>" msg-id in [*p, end), whitespace inside dropped;
   NULL when there is none. Anything else between ids is skipped. */
static const char *thread_next_msgid(struct pool *pool, const unsigned char **p,
				     const unsigned char *end)
{
	const unsigned char *start, *q;
	char *id;
	size_t n;
	bool at;

	while ((start = memchr(*p, '<', (size_t)(end - *p))) != NULL) {
		q = start + 1;
		at = false;
		while (q < end && *q != '>' && *q != '<') {
			at = at || *q == '@';
			q++;
		}
		*p = q;
		if (q == end || *q != '>' || !at)
			continue;
		*p = q + 1;
		id = p_malloc(pool, (size_t)(q - start) + 2);
		for (n = 0; start <= q; start++) {
			if (*start != ' ' && *start != '\t' &&
			    *start != '\r' && *start != '\n')
				id[n++] = (char)*start;
		}
		id[n] = '\0';
		return id;
	}
	*p = end;
	return NULL;
}

static struct thread_container *
thread_container_new(struct thread_ctx *ctx)
{
	struct thread_container *c = pool_new(ctx->pool,
					      struct thread_container, 1);

	array_append(&ctx->all, &c);
	return c;
}

/* The container of msg-id, a new dummy if none yet. */
static struct thread_container *
thread_id_container(struct thread_ctx *ctx, const char *id)
{
	struct thread_container *c = hash_table_lookup(ctx->ids, id);

	if (c == NULL) {
		c = thread_container_new(ctx);
		hash_table_insert(ctx->ids, (void *)p_strdup(ctx->pool, id), c);
	}
	return c;
}

/* Is a an ancestor of b (or b itself)? */
static bool thread_is_ancestor(const struct thread_container *a,
			       const struct thread_container *b)
{
	for (; b != NULL; b = b->parent) {
		if (b == a)
			return true;
	}
	return false;
}

static void thread_unlink(struct thread_container *c)
{
	struct thread_container **pp;

	if (c->parent == NULL)
		return;
	for (pp = &c->parent->first_child; *pp != c; pp = &(*pp)->next) ;
	*pp = c->next;
	c->next = NULL;
	c->parent = NULL;
}

/* Appends child to parent's children (O(1) while the last-child hint
   holds). */
static void thread_add_child(struct thread_container *parent,
			     struct thread_container *child)
{
	struct thread_container *last = parent->last_child;

	if (last == NULL || last->parent != parent || last->next != NULL) {
		last = parent->first_child;
		while (last != NULL && last->next != NULL)
			last = last->next;
	}
	if (last == NULL)
		parent->first_child = child;
	else
		last->next = child;
	child->parent = parent;
	child->next = NULL;
	parent->last_child = child;
}

/* parent -> child unless child has a parent already or it makes a loop. */
static void thread_link(struct thread_container *parent,
			struct thread_container *child)
{
	if (child->parent == NULL && !thread_is_ancestor(child, parent))
		thread_add_child(parent, child);
}

/* The first msg-id of header field idx (NULL if none); *p_r / *end_r
   where to look for the next ones. */
static const char *
thread_first_msgid(struct thread_ctx *ctx, const unsigned char *const *values,
		   const size_t *lens, enum thread_header idx,
		   const unsigned char **p_r, const unsigned char **end_r)
{
	if (values[idx] == NULL)
		return NULL;
	*p_r = values[idx];
	*end_r = values[idx] + lens[idx];
	return thread_next_msgid(ctx->msg_pool, p_r, *end_r);
}

/* Step 1 of REFERENCES for one message (values: its header fields). */
static void thread_references_add(struct thread_ctx *ctx,
				  struct thread_container *msg_c,
				  const unsigned char *const *values,
				  const size_t *lens)
{
	const unsigned char *p = NULL, *end = NULL;
	struct thread_container *prev = NULL, *c;
	const char *id;

	id = thread_first_msgid(ctx, values, lens, THREAD_HDR_REFERENCES,
				&p, &end);
	if (id == NULL) {
		/* no References: the first id of In-Reply-To */
		id = thread_first_msgid(ctx, values, lens,
					THREAD_HDR_IN_REPLY_TO, &p, &end);
		if (id != NULL)
			prev = thread_id_container(ctx, id);
	} else {
		/* (A) the chain of references, first the parent of the
		   second and so on */
		do {
			c = thread_id_container(ctx, id);
			if (prev != NULL && c != prev)
				thread_link(prev, c);
			prev = c;
		} while ((id = thread_next_msgid(ctx->msg_pool, &p, end)) != NULL);
	}
	/* (B) the last reference is the message's parent: this message
	   knows better than a truncated chain elsewhere */
	thread_unlink(msg_c);
	if (prev != NULL && prev != msg_c && !thread_is_ancestor(msg_c, prev))
		thread_add_child(prev, msg_c);
}

/* The container of message seq: under its Message-ID if it has a valid
   one not taken by an earlier message, else under an id no header can
   hold ("#seq" has no '@'). */
static struct thread_container *
thread_msg_container(struct thread_ctx *ctx, uint32_t seq,
		     const unsigned char *value, size_t len)
{
	const unsigned char *p = value;
	struct thread_container *c;
	const char *id = value == NULL ? NULL :
		thread_next_msgid(ctx->msg_pool, &p, value + len);

	if (id != NULL) {
		c = thread_id_container(ctx, id);
		if (c->node.seq == 0)
			return c;
	}
	c = thread_container_new(ctx);
	hash_table_insert(ctx->ids, (void *)p_printf(ctx->pool, "#%u",
							      seq), c);
	return c;
}

/* Reads message seq's fields into a container (for REFERENCES also its
   links). 0 or -1. */
static int thread_add_msg(struct thread_ctx *ctx, enum mail_thread_type type,
			  uint32_t seq, struct thread_container **c_r)
{
	const unsigned char *values[THREAD_HDR_COUNT];
	size_t lens[THREAD_HDR_COUNT];
	struct thread_container *c;
	struct str *subject;
	const char *str;
	struct pool *msg_pool = ctx->msg_pool;
	enum mail_storage_error error;
	int tz;

	if (mail_get_first_header_values(ctx->box, seq, thread_header_names,
					 THREAD_HDR_COUNT,
					 MAIL_THREAD_MAX_HEADER_SIZE, msg_pool,
					 values, lens) < 0) {
		error = mailbox_get_last_error(ctx->box, &str);
		if (error != MAIL_ERROR_EXPUNGED && error != MAIL_ERROR_NOTFOUND)
			return -1;
		/* expunged meanwhile: threaded with empty headers */
		memset(values, 0, sizeof(values));
		memset(lens, 0, sizeof(lens));
	}
	c = type == MAIL_THREAD_REFERENCES ?
		thread_msg_container(ctx, seq, values[THREAD_HDR_MESSAGE_ID],
				     lens[THREAD_HDR_MESSAGE_ID]) :
		thread_container_new(ctx);
	c->node.seq = seq;
	subject = str_new(msg_pool, 128);
	if (values[THREAD_HDR_SUBJECT] != NULL) {
		imap_base_subject_append(msg_pool, subject,
					 values[THREAD_HDR_SUBJECT],
					 lens[THREAD_HDR_SUBJECT],
					 &c->is_reply);
	}
	c->subject = p_strdup(ctx->pool, str_c(subject));
	if (values[THREAD_HDR_DATE] == NULL ||
	    !message_date_parse(values[THREAD_HDR_DATE],
				lens[THREAD_HDR_DATE], &c->sent, &tz)) {
		if (mail_get_received_date(ctx->box, seq, &c->sent) < 0)
			c->sent = 0;
	}
	if (type == MAIL_THREAD_REFERENCES)
		thread_references_add(ctx, c, values, lens);
	*c_r = c;
	return 0;
}

/* The message a container sorts and groups by: itself, or a dummy's
   first child (children are sorted first). */
static const struct thread_container *
thread_sort_msg(const struct thread_container *c)
{
	while (c->node.seq == 0 && c->first_child != NULL)
		c = c->first_child;
	return c;
}

static int thread_date_cmp(const struct thread_container *a,
			   const struct thread_container *b)
{
	a = thread_sort_msg(a);
	b = thread_sort_msg(b);
	if (a->sent != b->sent)
		return a->sent < b->sent ? -1 : 1;
	return a->node.seq < b->node.seq ? -1 : a->node.seq > b->node.seq;
}

static int thread_date_qsort_cmp(const void *p1, const void *p2)
{
	const struct thread_container *const *a = p1, *const *b = p2;

	return thread_date_cmp(*a, *b);
}

/* Sorts a sibling list by sent date (the seq tie-break makes the order
   total). */
static struct thread_container *
thread_sort_siblings(struct thread_ctx *ctx, struct thread_container *list)
{
	struct thread_container *c, **items;
	unsigned int i, count;

	if (list == NULL || list->next == NULL)
		return list;
	array_clear(&ctx->sort_buf);
	for (c = list; c != NULL; c = c->next)
		array_append(&ctx->sort_buf, &c);
	items = array_get_modifiable(&ctx->sort_buf, &count);
	qsort(items, count, sizeof(*items), thread_date_qsort_cmp);
	for (i = 0; i + 1 < count; i++)
		items[i]->next = items[i + 1];
	items[count - 1]->next = NULL;
	return items[0];
}

/* Step 6: every level, children before their parents. */
static struct thread_container *
thread_sort_all(struct thread_ctx *ctx, struct thread_container *list)
{
	struct thread_container *c;

	for (c = list; c != NULL; c = c->next)
		c->first_child = thread_sort_all(ctx, c->first_child);
	return thread_sort_siblings(ctx, list);
}

/* Step 3: dummies without children go; a dummy's children take its place
   (at the root only if it has just one). Returns the new list. */
static struct thread_container *
thread_prune(struct thread_container *list, struct thread_container *parent)
{
	struct thread_container *out = NULL, **tail = &out, *c, *next, *child;

	for (c = list; c != NULL; c = next) {
		next = c->next;
		c->first_child = thread_prune(c->first_child, c);
		if (c->node.seq == 0 && c->first_child == NULL) {
			c->parent = NULL;	/* gone: no one's last child */
			continue;
		}
		if (c->node.seq == 0 &&
		    (parent != NULL || c->first_child->next == NULL)) {
			for (child = c->first_child; child != NULL;
			     child = child->next) {
				child->parent = parent;
				*tail = child;
				tail = &child->next;
			}
			c->parent = NULL;
			continue;
		}
		c->parent = parent;
		*tail = c;
		tail = &c->next;
	}
	*tail = NULL;
	return out;
}

/* Step 5B: the container each base subject is grouped under. */
static void thread_subject_table(struct hash_table *table,
				 struct thread_container *const *roots,
				 unsigned int count)
{
	struct thread_container *c, *old;
	const struct thread_container *m, *old_m;
	unsigned int i;

	for (i = 0; i < count; i++) {
		c = roots[i];
		m = thread_sort_msg(c);
		if (m->subject[0] == '\0')
			continue;
		old = hash_table_lookup(table, m->subject);
		if (old != NULL) {
			old_m = thread_sort_msg(old);
			if (!(c->node.seq == 0 && old->node.seq != 0) &&
			    !(old_m->is_reply && !m->is_reply))
				continue;
		}
		hash_table_insert(table, (void *)m->subject, c);
	}
}

/* Step 5C for root c whose subject's table entry is t (t != c): merges
   c into t's thread. Returns the container that takes t's place among
   the roots (t, c or a new dummy holding both); c leaves its place. */
static struct thread_container *
thread_merge(struct thread_ctx *ctx, struct thread_container *t,
	     struct thread_container *c)
{
	struct thread_container *child, *next, *d;

	if (t->node.seq == 0 && c->node.seq == 0) {
		for (child = c->first_child; child != NULL; child = next) {
			next = child->next;
			thread_add_child(t, child);
		}
		return t;
	}
	if (c->node.seq == 0) {
		/* (the table prefers dummies, so only for safety) */
		thread_add_child(c, t);
		return c;
	}
	if (t->node.seq == 0 ||
	    (!thread_sort_msg(t)->is_reply && c->is_reply)) {
		thread_add_child(t, c);
		return t;
	}
	d = thread_container_new(ctx);
	thread_add_child(d, t);
	thread_add_child(d, c);
	return d;
}

/* Step 5: roots with the same base subject become one thread. */
static struct thread_container *
thread_group_subjects(struct thread_ctx *ctx, struct thread_container *list)
{
	struct hash_table *table = hash_table_create_str(ctx->pool, 64);
	ARRAY(struct thread_container *) arr;
	struct thread_container **roots, *c, *t, *keep, *out = NULL;
	struct thread_container **tail = &out;
	const struct thread_container *m;
	unsigned int i, count;

	array_init(&arr, ctx->pool, 64);
	for (c = list; c != NULL; c = c->next) {
		c->root_idx = array_count(&arr);
		array_append(&arr, &c);
	}
	roots = array_get_modifiable(&arr, &count);
	thread_subject_table(table, roots, count);
	for (i = 0; i < count; i++) {
		if ((c = roots[i]) == NULL)
			continue;
		m = thread_sort_msg(c);
		t = m->subject[0] == '\0' ? NULL :
			hash_table_lookup(table, m->subject);
		if (t == NULL || t == c)
			continue;
		keep = thread_merge(ctx, t, c);
		keep->parent = NULL;
		keep->root_idx = t->root_idx;
		roots[i] = NULL;
		roots[keep->root_idx] = keep;
		hash_table_insert(table, (void *)m->subject, keep);
	}
	for (i = 0; i < count; i++) {
		if (roots[i] != NULL) {
			*tail = roots[i];
			tail = &roots[i]->next;
		}
	}
	*tail = NULL;
	hash_table_destroy(&table);
	return out;
}

/* The roots: every container without a parent, in creation order. */
static struct thread_container *thread_roots(struct thread_ctx *ctx)
{
	struct thread_container *const *cp, *out = NULL, **tail = &out;

	array_foreach(&ctx->all, cp) {
		if ((*cp)->parent != NULL)
			continue;
		(*cp)->next = NULL;
		*tail = *cp;
		tail = &(*cp)->next;
	}
	return out;
}

static struct thread_container *thread_references(struct thread_ctx *ctx)
{
	struct thread_container *roots;

	roots = thread_prune(thread_roots(ctx), NULL);
	/* step 4: sorted so a dummy's first child is its earliest one */
	roots = thread_sort_all(ctx, roots);
	roots = thread_group_subjects(ctx, roots);
	return thread_sort_all(ctx, roots);
}

static int thread_subject_date_cmp(const void *p1, const void *p2)
{
	const struct thread_container *const *a = p1, *const *b = p2;
	int ret = strcmp((*a)->subject, (*b)->subject);

	return ret != 0 ? ret : thread_date_cmp(*a, *b);
}

/* ORDEREDSUBJECT: by base subject, then sent date; each subject's first
   message is the parent of the others; threads by their first date. */
static struct thread_container *thread_ordered_subject(struct thread_ctx *ctx)
{
	struct thread_container **msgs, *roots = NULL, **tail = &roots;
	struct thread_container *lead = NULL;
	unsigned int i, count;

	msgs = array_get_modifiable(&ctx->all, &count);
	qsort(msgs, count, sizeof(*msgs), thread_subject_date_cmp);
	for (i = 0; i < count; i++) {
		if (lead != NULL && strcmp(lead->subject, msgs[i]->subject) == 0) {
			thread_add_child(lead, msgs[i]);
			continue;
		}
		lead = msgs[i];
		lead->next = NULL;
		*tail = lead;
		tail = &lead->next;
	}
	return thread_sort_siblings(ctx, roots);
}

/* The result tree: the containers' nodes linked the same way. */
static struct mail_thread_node *thread_nodes(struct thread_container *list)
{
	struct thread_container *c;

	for (c = list; c != NULL; c = c->next) {
		c->node.first_child = thread_nodes(c->first_child);
		c->node.next = c->next == NULL ? NULL : &c->next->node;
	}
	return list == NULL ? NULL : &list->node;
}

int mail_thread(struct mailbox *box, enum mail_thread_type type,
		const ARRAY_TYPE(uint32) *seqs, struct pool *pool,
		struct mail_thread_node **roots_r)
{
	struct pool *msg_pool = pool_create("thread message", 4096, 0);
	struct thread_container *c, *roots;
	struct thread_ctx ctx;
	const uint32_t *seqp;
	int ret = 0;

	memset(&ctx, 0, sizeof(ctx));
	ctx.box = box;
	ctx.pool = pool;
	ctx.msg_pool = msg_pool;
	ctx.ids = hash_table_create_str(pool, array_count(seqs) * 2 + 16);
	array_init(&ctx.all, pool, array_count(seqs) + 16);
	array_init(&ctx.sort_buf, pool, 64);
	array_foreach(seqs, seqp) {
		pool_clear(msg_pool);
		if ((ret = thread_add_msg(&ctx, type, *seqp, &c)) < 0)
			break;
	}
	pool_unref(&msg_pool);
	hash_table_destroy(&ctx.ids);
	if (ret < 0)
		return -1;
	roots = type == MAIL_THREAD_REFERENCES ? thread_references(&ctx) :
		thread_ordered_subject(&ctx);
	*roots_r = thread_nodes(roots);
	return 0;
}
