/* Copyright (c) dovecot-like authors. message-header-md5.h: the header MD5
   behind the POP3 UIDL variable %m, computed the way Dovecot's mbox code does
   (the "apop3d" selection of headers), so UIDLs survive a migration. */
#ifndef MESSAGE_HEADER_MD5_H
#define MESSAGE_HEADER_MD5_H

#define MESSAGE_HEADER_MD5_LEN 16

/* Hashes the values of Date (unless a Received came first), Delivered-To,
   Message-ID, the first Received and X-Delivery-ID found in the header at
   data[0..len) (parsing stops at the first empty line). A value starts after
   the colon and one white space char; continuation lines are hashed whole,
   line ends excluded. Never fails. */
void message_header_md5(const unsigned char *data, size_t len,
			unsigned char md5_r[MESSAGE_HEADER_MD5_LEN]);

/* Size of the header at data[0..len) including the empty line that ends it;
   len if no end was found. */
size_t message_header_size(const unsigned char *data, size_t len);

#endif
