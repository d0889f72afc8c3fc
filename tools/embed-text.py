#!/usr/bin/env python3
"""Embeds a text file as a C string: embed-text.py SYMBOL INPUT OUTPUT."""
import sys

symbol, src, dst = sys.argv[1:4]
text = open(src, encoding="utf-8").read()
with open(dst, "w", encoding="utf-8") as out:
    out.write(f"/* Generated from {src.split('/')[-1]}; do not edit. */\n")
    out.write(f"extern const char {symbol}[];\n")
    out.write(f"const char {symbol}[] =\n")
    for line in text.splitlines(keepends=True):
        esc = line.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        out.write(f'\t"{esc}"\n')
    out.write("\t\"\";\n")
