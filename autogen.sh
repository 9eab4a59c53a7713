#!/bin/sh
# Generate configure and Makefile.in files from a git checkout.
set -e
cd "$(dirname "$0")"
autoreconf --install --force
