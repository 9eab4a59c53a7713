/* Copyright (c) dovecot-like authors. main.c: the log service: reads every
   child's log lines from the pipe on fd 0 and writes them out; only wiring
   lives here. */

#include "lib.h"
#include "ioloop.h"
#include "istream.h"
#include "process-title.h"
#include "master-service.h"
#include "net.h"
#include "log-writer.h"

#include <stdlib.h>
#include <unistd.h>
#include <signal.h>

#define LOG_PIPE_FD 0

static struct ioloop *ioloop;
static struct istream *input;
static struct io *io;
static struct log_writer *writer;

static void log_input_line(char *line)
{
	enum log_level level;
	const char *prefix, *message;
	long pid;

	if (log_line_parse(line, &level, &pid, &prefix, &message) < 0) {
		/* not our format: e.g. a sanitizer report; keep it visible */
		log_writer_write(writer, LOG_LEVEL_ERROR, 0, "log", line);
		return;
	}
	log_writer_write(writer, level, pid, prefix, message);
}

static void log_input(void *context)
{
	const char *line;
	size_t len;
	ssize_t ret;

	while ((ret = istream_read(input)) != 0) {
		while ((line = istream_next_line(input, &len)) != NULL)
			log_input_line((char *)line);
		if (ret == -2) {
			/* an over-long line without LF: write what we have */
			size_t size;
			const unsigned char *data = istream_get_data(input, &size);

			log_input_line((char *)tmp_strndup(data, size));
			istream_skip(input, size);
		} else if (ret < 0) {
			/* every writer closed the pipe: master is done */
			io_loop_stop(ioloop);
			return;
		}
	}
}

static void sig_reopen(int signo, void *context)
{
	log_writer_reopen(writer);
}

int main(int argc, char *argv[])
{
	struct master_service *service;

	process_title_init(argc, &argv);
	lib_init();
	service = master_service_init("log", &argc, &argv);
	/* our own lines go straight out, not into the pipe we read */
	log_set_raw_stderr(true);
	process_title_set("dovecot-like/log");
	writer = log_writer_create(service->set, getenv("DLIKE_LOG_STDERR") != NULL);

	ioloop = io_loop_create();
	/* master's SIGTERM to everyone: keep draining until the pipe closes */
	lib_signals_set_handler(SIGTERM, sig_reopen, NULL);
	lib_signals_set_handler(SIGINT, sig_reopen, NULL);
	lib_signals_set_handler(SIGUSR1, sig_reopen, NULL);
	fd_set_nonblock(LOG_PIPE_FD, true);
	input = istream_create_fd(LOG_PIPE_FD, LOG_LINE_MAX + 2, false);
	io = io_add(LOG_PIPE_FD, IO_READ, log_input, NULL);
	io_loop_run(ioloop);

	io_remove(&io);
	istream_unref(&input);
	log_writer_destroy(&writer);
	io_loop_destroy(&ioloop);
	master_service_deinit(&service);
	return 0;
}
