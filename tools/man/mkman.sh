#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# tools/man/mkman.sh - one section-3 man page per public function, made from
# the kernel-doc block above it in the headers: NAME from its first line,
# SYNOPSIS from the declaration that follows, ARGUMENTS from @arg lines,
# DESCRIPTION, CONTEXT and RETURN VALUE from the rest.
#
# Usage: mkman.sh OUTDIR VERSION HEADER...
set -e

out=$1 version=$2
shift 2
mkdir -p "$out"
for h in "$@"; do
	inc=${h#include/}
	awk -v out="$out" -v version="$version" -v inc="$inc" '
	function esc(s) { gsub(/\\/, "\\e", s); sub(/^\./, "\\\\\\&.", s); sub(/^'"'"'/, "\\\\\\&'"'"'", s); return s }
	# kernel-doc @name: the name in italics (not in examples: code)
	function refs(s) {
		while (match(s, /@[A-Za-z_][A-Za-z_0-9]*/))
			s = substr(s, 1, RSTART - 1) "\\fI" substr(s, RSTART + 1, RLENGTH - 1) \
			    "\\fR" substr(s, RSTART + RLENGTH)
		return s
	}
	function flush(   f, i, up) {
		if (name == "" || name !~ /^tl_[a-z_]*$/ || decl == "")
			return
		f = out "/" name ".3"
		up = toupper(name)
		printf ".TH %s 3 \"\" \"tasklocal %s\" \"tasklocal manual\"\n", up, version > f
		gsub(/@/, "", summary)	# plain text in NAME (whatis)
		printf ".SH NAME\n%s \\- %s\n", name, esc(summary) > f
		printf ".SH SYNOPSIS\n.nf\n.B #include <%s>\n.PP\n%s\n.fi\n", inc, esc(decl) > f
		if (nargs) {
			printf ".SH ARGUMENTS\n" > f
			for (i = 1; i <= nargs; i++)
				printf ".TP\n.I %s\n%s\n", argn[i], refs(esc(argd[i])) > f
		}
		if (body != "")
			printf ".SH DESCRIPTION\n%s", body > f
		printf ".SH SEE ALSO\n.BR tasklocal (7)\n" > f
		close(f)
	}
	/^\/\*\*$/ { inblock = 1; name = ""; summary = ""; nargs = 0; body = ""; decl = ""; section = ""; next }
	inblock && /^ \*\/$/ { inblock = 0; indecl = 1; next }
	inblock {
		line = $0
		sub(/^ \* ?/, "", line)
		if (name == "" && match(line, /^[A-Za-z_][A-Za-z_0-9]* - /)) {
			name = substr(line, 1, index(line, " ") - 1)
			summary = substr(line, RLENGTH + 1)
			next
		}
		if (match(line, /^@[a-z_.]*: /) && section == "") {
			argn[++nargs] = substr(line, 2, RLENGTH - 3)
			argd[nargs] = substr(line, RLENGTH + 1)
			next
		}
		if (nargs && section == "" && line ~ /^  +/ && body == "") {
			sub(/^ +/, "", line)
			argd[nargs] = argd[nargs] " " line
			next
		}
		if (match(line, /^(Context|Return|Cost|Example):/)) {
			if (section == "Example")
				body = body ".fi\n"
			section = substr(line, 1, RLENGTH - 1)
			up = section == "Return" ? "RETURN VALUE" : toupper(section)
			body = body ".SH " up "\n"
			line = substr(line, RLENGTH + 2)
			if (section == "Example") { body = body ".nf\n"; next }
		}
		if (line == "")
			body = body (section == "Example" ? "\n" : ".PP\n")
		else
			body = body (section == "Example" ? esc(line) : refs(esc(line))) "\n"
		next
	}
	indecl {
		d = $0
		decl = decl (decl == "" ? "" : "\n") d
		if (d ~ /[;{]/ || d ~ /^#define/) {
			sub(/[ \t\n]*\{.*$/, ";", decl)
			sub(/[ \t]*\\$/, "", decl)
			gsub(/TL__FS_ATTR /, "", decl)
			gsub(/static inline /, "", decl)
			# A name in parentheses (kept from macros): bare.
			if (match(decl, /\(tl_[a-z0-9_]+\)\(/))
				decl = substr(decl, 1, RSTART - 1) \
				       substr(decl, RSTART + 1, RLENGTH - 3) "(" \
				       substr(decl, RSTART + RLENGTH)
			if (section == "Example") body = body ".fi\n"
			flush()
			indecl = 0
		}
	}
	' "$h"
done
