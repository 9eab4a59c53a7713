/* Copyright (c) dovecot-like authors. The login -> worker handoff message:
   client fd plus what the worker needs to ask auth who the client is. */
#include "lib.h"
#include "str.h"
#include "strfuncs.h"
#include "strescape.h"
#include "base64.h"
#include "fdpass.h"
#include "login-handoff.h"

#include <poll.h>
#include <unistd.h>

#define LOGIN_HANDOFF_FIELD_COUNT 14
#define LOGIN_HANDOFF_WRITE_TIMEOUT_MSECS 5000

static void str_append_field(struct str *str, const char *value)
{
	str_append_c(str, '\t');
	str_append_tabescaped(str, value);
}

/* Write all of data, waiting for a non-blocking socket if needed. */
static int handoff_write_rest(int sock, const unsigned char *data, size_t size)
{
	struct pollfd pfd = { .fd = sock, .events = POLLOUT };
	ssize_t ret;

	while (size > 0) {
		ret = write(sock, data, size);
		if (ret > 0) {
			data += ret;
			size -= (size_t)ret;
			continue;
		}
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0 && errno != EAGAIN)
			return -1;
		if (poll(&pfd, 1, LOGIN_HANDOFF_WRITE_TIMEOUT_MSECS) <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
	}
	return 0;
}

int login_handoff_send(int sock, int client_fd, const struct login_handoff *h)
{
	struct str *str = t_str_new(1024);
	struct buf *b64;
	ssize_t ret;
	size_t pos;

	if (h->input_len > LOGIN_HANDOFF_MAX_INPUT) {
		errno = EMSGSIZE;
		return -1;
	}
	str_append(str, "HANDOFF\t1");
	str_append_field(str, h->protocol);
	str_printfa(str, "\t%ld\t%u", (long)h->auth_pid, h->auth_id);
	str_append_field(str, h->cookie);
	str_append_field(str, h->user != NULL ? h->user : "");
	str_append_field(str, net_ip2addr(&h->local_ip));
	str_printfa(str, "\t%u", h->local_port);
	str_append_field(str, net_ip2addr(&h->remote_ip));
	str_printfa(str, "\t%u\t%s%s", h->remote_port,
		    h->secured ? "s" : "", h->tls ? "t" : "");
	str_append_field(str, h->tag != NULL ? h->tag : "");
	str_append_c(str, '\t');
	b64 = buf_create(tmp_pool, BASE64_ENCODED_SIZE(h->input_len) + 1);
	base64_encode(h->input, h->input_len, b64);
	str_append_n(str, b64->data, b64->used);
	str_append_c(str, '\n');
	if (str_len(str) > LOGIN_HANDOFF_MAX_SIZE) {
		errno = EMSGSIZE;
		return -1;
	}

	for (;;) {
		ret = fd_send(sock, client_fd, str_data(str), str_len(str));
		if (ret > 0)
			break;
		if (ret < 0 && errno != EAGAIN)
			return -1;
		struct pollfd pfd = { .fd = sock, .events = POLLOUT };
		if (poll(&pfd, 1, LOGIN_HANDOFF_WRITE_TIMEOUT_MSECS) <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
	}
	/* the fd went with the first byte; the rest is plain data */
	pos = (size_t)ret;
	return handoff_write_rest(sock, str_data(str) + pos, str_len(str) - pos);
}

static int parse_uint_field(const char *value, unsigned int max,
			    unsigned int *num_r)
{
	return str_to_uint(value, num_r) < 0 || *num_r > max ? -1 : 0;
}

static bool is_hex_string(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') ||
		      (*s >= 'A' && *s <= 'F')))
			return false;
	}
	return true;
}

static int parse_ip_field(const char *value, struct ip_addr *ip_r)
{
	if (*value == '\0') {
		memset(ip_r, 0, sizeof(*ip_r));
		return 0;
	}
	return net_addr2ip(value, ip_r);
}

int login_handoff_parse(struct pool *pool, const char *line, size_t len,
			struct login_handoff *h_r, const char **error_r)
{
	const char **f, *p;
	unsigned int n, i;
	struct buf *input;

	memset(h_r, 0, sizeof(*h_r));
	if (len > LOGIN_HANDOFF_MAX_SIZE) {
		*error_r = "Handoff message too long";
		return -1;
	}
	if (memchr(line, '\0', len) != NULL || memchr(line, '\n', len) != NULL) {
		*error_r = "Handoff message contains NUL or LF";
		return -1;
	}
	f = p_strsplit(pool, p_strndup(pool, line, len), "\t");
	if (str_array_length(f) != LOGIN_HANDOFF_FIELD_COUNT) {
		*error_r = "Handoff message has a wrong number of fields";
		return -1;
	}
	if (strcmp(f[0], "HANDOFF") != 0 || strcmp(f[1], "1") != 0) {
		*error_r = "Not a version 1 HANDOFF message";
		return -1;
	}
	for (i = 2; i < LOGIN_HANDOFF_FIELD_COUNT; i++)
		f[i] = str_tabunescape((char *)f[i]);

	h_r->protocol = f[2];
	for (p = f[2]; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
			break;
	}
	if (*f[2] == '\0' || *p != '\0') {
		*error_r = "Invalid protocol";
		return -1;
	}
	if (parse_uint_field(f[3], INT32_MAX, &n) < 0 || n == 0) {
		*error_r = "Invalid auth_pid";
		return -1;
	}
	h_r->auth_pid = (pid_t)n;
	if (str_to_uint(f[4], &h_r->auth_id) < 0) {
		*error_r = "Invalid auth_id";
		return -1;
	}
	if (!is_hex_string(f[5])) {
		*error_r = "Invalid cookie";
		return -1;
	}
	h_r->cookie = f[5];
	h_r->user = f[6];
	if (parse_ip_field(f[7], &h_r->local_ip) < 0 ||
	    parse_ip_field(f[9], &h_r->remote_ip) < 0) {
		*error_r = "Invalid IP address";
		return -1;
	}
	if (parse_uint_field(f[8], 65535, &h_r->local_port) < 0 ||
	    parse_uint_field(f[10], 65535, &h_r->remote_port) < 0) {
		*error_r = "Invalid port";
		return -1;
	}
	for (p = f[11]; *p != '\0'; p++) {
		if (*p == 's')
			h_r->secured = true;
		else if (*p == 't')
			h_r->tls = true;
		else {
			*error_r = "Invalid flags";
			return -1;
		}
	}
	h_r->tag = f[12];
	input = buf_create(pool, strlen(f[13]) / 4 * 3 + 1);
	buf_set_max_size(input, LOGIN_HANDOFF_MAX_INPUT);
	if (base64_decode(f[13], strlen(f[13]), input) < 0) {
		*error_r = "Invalid or too long pre-read input";
		return -1;
	}
	h_r->input = input->data;
	h_r->input_len = input->used;
	return 0;
}

int login_handoff_recv(int sock, struct pool *pool, unsigned int timeout_msecs,
		       struct login_handoff *h_r, int *client_fd_r,
		       const char **error_r)
{
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	unsigned char *msg = p_malloc(pool, LOGIN_HANDOFF_MAX_SIZE + 1);
	size_t used = 0;
	unsigned char *lf = NULL;
	ssize_t ret;
	int fd;

	*client_fd_r = -1;
	while (lf == NULL) {
		if (used == LOGIN_HANDOFF_MAX_SIZE) {
			*error_r = "Handoff message too long";
			goto fail;
		}
		ret = fd_read(sock, msg + used, LOGIN_HANDOFF_MAX_SIZE - used, &fd);
		if (fd != -1) {
			if (*client_fd_r != -1) {
				(void)close(fd);
				*error_r = "More than one fd in handoff";
				goto fail;
			}
			*client_fd_r = fd;
		}
		if (ret == 0) {
			*error_r = "Handoff connection closed early";
			goto fail;
		}
		if (ret < 0) {
			if (errno != EAGAIN) {
				*error_r = tmp_printf("Handoff read failed: %s",
						      strerror(errno));
				goto fail;
			}
			if (poll(&pfd, 1, (int)timeout_msecs) <= 0) {
				*error_r = "Handoff read timed out";
				goto fail;
			}
			continue;
		}
		lf = memchr(msg + used, '\n', (size_t)ret);
		used += (size_t)ret;
	}
	if (lf != msg + used - 1) {
		*error_r = "Data after the handoff message";
		goto fail;
	}
	if (*client_fd_r == -1) {
		*error_r = "No client fd in handoff";
		goto fail;
	}
	if (login_handoff_parse(pool, (const char *)msg, used - 1, h_r, error_r) < 0)
		goto fail;
	return 0;
fail:
	if (*client_fd_r != -1) {
		(void)close(*client_fd_r);
		*client_fd_r = -1;
	}
	return -1;
}

int login_handoff_reply(int sock, const char *fail_reason)
{
	const char *line;

	if (fail_reason == NULL)
		line = tmp_printf("OK\t%ld\n", (long)getpid());
	else
		line = tmp_strconcat("FAIL\t", tmp_str_tabescape(fail_reason),
				     "\n", NULL);
	return handoff_write_rest(sock, (const unsigned char *)line,
				  strlen(line));
}

int login_handoff_reply_refused(int sock, const char *reason)
{
	const char *line = tmp_strconcat("REFUSED\t", tmp_str_tabescape(reason),
					 "\n", NULL);

	return handoff_write_rest(sock, (const unsigned char *)line,
				  strlen(line));
}

int login_handoff_parse_refused(const char *line, const char **reason_r)
{
	const char *value;
	char *reason;
	size_t i;

	if (!str_begins(line, "REFUSED\t", &value))
		return 0;
	reason = str_tabunescape(p_strdup(tmp_pool, value));
	/* the login process sends it to the client as the rest of one
	   reply line: no control characters, nothing empty */
	if (reason[0] == '\0')
		return -1;
	for (i = 0; reason[i] != '\0'; i++) {
		if ((unsigned char)reason[i] < 0x20 || reason[i] == 0x7f)
			return -1;
	}
	*reason_r = reason;
	return 1;
}

int login_handoff_parse_reply(const char *line, pid_t *pid_r,
			      const char **reason_r)
{
	const char *value;
	unsigned int pid;

	if (str_begins(line, "OK\t", &value)) {
		if (str_to_uint(value, &pid) < 0 || pid == 0 || pid > INT32_MAX)
			return -1;
		*pid_r = (pid_t)pid;
		return 1;
	}
	if (str_begins(line, "FAIL\t", &value)) {
		*reason_r = str_tabunescape(p_strdup(tmp_pool, value));
		return 0;
	}
	return -1;
}
