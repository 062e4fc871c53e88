#!/usr/bin/env python3
"""Makes NotoSansSC-pufa-subset.otf, the certificate font (issue 12).

Characters: the 8,105 of 通用规范汉字表 (Unihan kTGH), the 6,763 hanzi and the symbols of GB2312, ASCII, Latin-1 and
Latin Extended-A, general and CJK punctuation and full-width forms. Needs Debian's fonts-noto-cjk and unicode-data and
`pip install fonttools`. Layout features other than kerning and the vertical tables are dropped: certificates are
set horizontally and the closure over them doubled the glyph count.
"""
import bz2
import subprocess

chars = set()
with bz2.open("/usr/share/unicode/Unihan_OtherMappings.txt.bz2", "rt") as unihan:
    for line in unihan:
        if "\tkTGH\t" in line:
            chars.add(int(line.split("\t")[0][2:], 16))
for high in range(0xA1, 0xF8):
    for low in range(0xA1, 0xFF):
        try:
            chars.add(ord(bytes([high, low]).decode("gb2312")))
        except UnicodeDecodeError:
            pass
chars |= set(range(0x20, 0x7F)) | set(range(0xA0, 0x180)) | set(range(0x2010, 0x2070))
chars |= set(range(0x3000, 0x3040)) | set(range(0xFF01, 0xFF5F)) | {0x30FB, 0x25A1, 0x2116}
with open("/tmp/pufa-font-chars.txt", "w") as out:
    out.write(",".join("U+%04X" % c for c in sorted(chars)))
subprocess.run(
    [
        "pyftsubset", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "--font-number=2",
        "--unicodes-file=/tmp/pufa-font-chars.txt", "--output-file=NotoSansSC-pufa-subset.otf", "--no-hinting",
        "--layout-features=kern", "--drop-tables+=VORG,vhea,vmtx,BASE",
    ],
    check=True,
)
print(len(chars), "characters")
