#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# tools/man/mkman.sh - one section-3 man page per public function, macro,
# struct and type, made from the kernel-doc block above it in the headers:
# NAME from its first line, SYNOPSIS from the declaration that follows (a
# struct's whole definition), ARGUMENTS (a struct's fields) from @arg
# lines, DESCRIPTION, CONTEXT and RETURN VALUE from the rest.  A struct's
# page is named for its tag, in section 3type (tl_local(3type) is struct
# tl_local's), a macro in capitals in 3const (TL_LOCAL(3const)).
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
	function flush(   f, i, sec) {
		if (name == "" || name !~ /^(tl|TL)_[A-Za-z0-9_]*$/ || decl == "")
			return
		# Debian sections: 3type for types, 3const for the macros
		# in capitals (no file differs from another by case alone).
		sec = kind != "" || decl ~ /^typedef/ ? "3type" : \
		      name ~ /^TL_/ ? "3const" : "3"
		f = out "/" name "." sec
		printf ".TH %s %s \"\" \"tasklocal %s\" \"tasklocal manual\"\n", name, sec, version > f
		gsub(/@/, "", summary)	# plain text in NAME (whatis)
		printf ".SH NAME\n%s \\- %s\n", name, esc(summary) > f
		printf ".SH SYNOPSIS\n.nf\n.B #include <%s>\n.PP\n%s\n.fi\n", inc, esc(decl) > f
		if (nargs) {
			printf ".SH %s\n", kind == "struct " ? "FIELDS" : "ARGUMENTS" > f
			for (i = 1; i <= nargs; i++)
				printf ".TP\n.I %s\n%s\n", argn[i], refs(esc(argd[i])) > f
		}
		if (body != "")
			printf ".SH DESCRIPTION\n%s", body > f
		printf ".SH SEE ALSO\n.BR tasklocal (7)\n" > f
		close(f)
	}
	/^\/\*\*$/ { inblock = 1; name = ""; kind = ""; summary = ""; nargs = 0; body = ""; decl = ""; section = ""; next }
	inblock && /^ \*\/$/ { inblock = 0; indecl = 1; next }
	inblock {
		line = $0
		sub(/^ \* ?/, "", line)
		if (name == "" && match(line, /^((struct|typedef) )?[A-Za-z_][A-Za-z_0-9]* - /)) {
			name = substr(line, 1, RLENGTH - 3)
			if (match(name, /^(struct|typedef) /)) {
				kind = substr(name, 1, RLENGTH)
				name = substr(name, RLENGTH + 1)
			}
			summary = substr(line, index(line, " - ") + 3)
			if (kind == "typedef ")
				kind = ""	# the declaration says it
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
	indecl && /^#(if|ifdef|ifndef|else|endif)/ { next }	# a guard, not the API
	indecl {
		d = $0
		# A macro: its name and parameters, not its body.
		if (match(d, /^#define[ \t]+[A-Za-z_0-9]+(\([^)]*\))?/))
			d = substr(d, 1, RLENGTH)
		decl = decl (decl == "" ? "" : "\n") d
		if (kind == "struct " ? d ~ /^};/ : d ~ /[;{]/ || d ~ /^#define/) {
			if (kind != "struct ")
				sub(/[ \t\n]*\{.*$/, ";", decl)
			sub(/[ \t]*\\$/, "", decl)
			gsub(/TL__FS_ATTR /, "", decl)
			gsub(/ TL__ZERO/, "", decl)	# C++ defaults, not the API
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
