"""From a registry file's bytes to its text: the encoding, the refusals of what is not text, and the delimiter."""

from __future__ import annotations

import re

from core.errors import RegistryFileError

# Whole-file refusals, from the bytes (decoding) or from the records (the exact reader).
EMPTY_FILE = "The file is empty. Export the registry sheet as CSV and upload that file."
BINARY_FILE = (
    "This is not a CSV text file (it contains binary data). "
    "In Excel or Google Sheets use File > Save as / Download > CSV."
)

# Byte-order marks, longest first: UTF-32-LE's starts with UTF-16-LE's.
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32", 4), (b"\x00\x00\xfe\xff", "utf-32", 4),
         (b"\xff\xfe", "utf-16", 2), (b"\xfe\xff", "utf-16", 2))
_UTF7_BOMS = (b"+/v8", b"+/v9", b"+/v+", b"+/v/")
# Where the NUL bytes of mostly-ASCII text fall in each wide encoding without a byte-order mark.
_WIDE_LAYOUTS = (("utf-32-le", 4, (1, 2, 3)), ("utf-32-be", 4, (0, 1, 2)), ("utf-16-le", 2, (1,)),
                 ("utf-16-be", 2, (0,)))
_DAMAGED_WORKBOOK = ("This file starts like an Excel workbook (.xlsx), but it is damaged or not a workbook. Open "
                     "it in Excel and save it again (or export the sheet as CSV), then upload that file.")
SAVE_AS_UTF8 = "In Excel use File > Save as > CSV UTF-8; Google Sheets always downloads CSV as UTF-8."
NOT_VALID = "\ufffd"  # what a byte that is not valid in the file's encoding is read as
# A shift sequence of UTF-7 ("Zo+AOs-" is "Zoë"): base64 between "+" and "-".
_UTF7_RUN = re.compile(r"\+([A-Za-z0-9+/]+)-")
# Three non-ASCII characters in a row: normal in Cyrillic, Greek or Japanese read as Windows-1252 ("óÉÎÈÒ"),
# next to never in the Western European text Windows-1252 is for ("Zoë", "Müller", "“café”").
_FOREIGN_RUN = re.compile(r"[^\x00-\x7f]{3}")


def decode_registry_bytes(data: bytes) -> tuple[str, str]:
    """Decode a file as Excel or Google Sheets saved it; return (text, encoding name).

    >>> decode_registry_bytes("name\\n".encode("utf-8-sig"))
    ('name\\n', 'utf-8 (with BOM)')
    >>> decode_registry_bytes("Zoë".encode("cp1252"))[1]
    'windows-1252'
    >>> decode_registry_bytes("name\\nZoë\\n".encode("utf-16-le"))
    ('name\\nZoë\\n', 'utf-16-le (no BOM)')

    UTF-8 is tried first, with or without a byte-order mark, then UTF-16 and UTF-32 (byte-order mark, or the
    NUL bytes of their ASCII letters). A file that is UTF-8 but for a few stray bytes stays UTF-8: each stray
    byte becomes U+FFFD and the reader reports its row and column. Only a file with no UTF-8 in it at all is
    read as Windows-1252, and only if it reads as Western European text.

    Raises:
        RegistryFileError: for an empty or binary file, or one in another encoding (named when recognised).
    """
    if not data.strip():
        raise RegistryFileError(EMPTY_FILE)
    for bom, codec, width in _BOMS:
        if data.startswith(bom):
            # Excel's "Unicode Text" export. A file cut off inside its last character loses that character; a lone
            # surrogate becomes U+FFFD, and its row is reported.
            return data[:len(data) - len(data) % width].decode(codec, errors="replace"), codec
    if data.startswith(_UTF7_BOMS):
        raise RegistryFileError(_utf7_refusal())
    if data.startswith(b"PK\x03\x04"):  # a zip file, as .xlsx and .ods are; a readable workbook never gets here
        raise RegistryFileError(_DAMAGED_WORKBOOK)
    if b"\x00" in data[:4096] and not _text_with_stray_nuls(data):
        return _decode_wide(data)
    body, name = (data[3:], "utf-8 (with BOM)") if data.startswith(b"\xef\xbb\xbf") else (data, "utf-8")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if not text.isascii() or not looks_like_utf7(text):
            return text, name
        raise RegistryFileError(_utf7_refusal())
    text = body.decode("utf-8", errors="replace")
    if name != "utf-8" or _mostly_utf8(text):
        return text, name
    return _decode_legacy(data)


def _text_with_stray_nuls(data: bytes) -> bool:
    """Whether a file with NUL bytes is UTF-8 text but for a few of them: the reader then names their rows."""
    try:
        return data.count(b"\x00") <= 8 and not re.search(r"[\x01-\x08\x0e-\x1a]", data.decode("utf-8"))
    except UnicodeDecodeError:
        return False


def _mostly_utf8(text: str) -> bool:
    """Whether text decoded from bytes that are not all valid UTF-8 has at least as many characters that UTF-8
    did decode (beyond ASCII) as bytes it could not: a UTF-8 file with a stray byte, not a Windows-1252 file."""
    stray = text.count(NOT_VALID)
    decoded = sum(1 for character in text if character > "\x7f") - stray
    return decoded >= stray


def _decode_wide(data: bytes) -> tuple[str, str]:
    """UTF-16 or UTF-32 without a byte-order mark, told apart by where the NUL bytes of ASCII letters fall."""
    head = data[:4096]
    for codec, width, zero_at in _WIDE_LAYOUTS:
        units = [head[i:i + width] for i in range(0, len(head) - width + 1, width)]
        zero = sum(all(unit[k] == 0 for k in zero_at) and any(unit) for unit in units)
        if units and zero >= 0.6 * len(units):
            usable = data[:len(data) - len(data) % width]
            try:
                text = usable.decode(codec)
            except UnicodeDecodeError:
                raise RegistryFileError(
                    f"This file looks like {codec.upper()} text without a byte-order mark, but it is damaged (it "
                    f"does not read as {codec.upper()} all the way through). Save it again as CSV. "
                    + SAVE_AS_UTF8) from None
            if "\x00" not in text and not re.search(r"[\x01-\x08\x0e-\x1a]", text):
                return text, f"{codec} (no BOM)"
    raise RegistryFileError(BINARY_FILE)


def _decode_legacy(data: bytes) -> tuple[str, str]:
    """A file with no UTF-8 in it: Windows-1252 when it reads as Western European text, else refused, naming
    the encoding it looks like."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:  # bytes Windows-1252 leaves unused: lead bytes of Japanese or Chinese encodings
        text = None
    if text is not None and not _FOREIGN_RUN.search(text):
        return text, "windows-1252"
    guess = _guess_foreign_encoding(data)
    looks = f" It looks like {guess}." if guess else ""
    raise RegistryFileError(
        "This file is not saved as UTF-8, and it does not read as Windows-1252 (Western European) either, so its "
        f"names would come out garbled.{looks} Save it as UTF-8 and upload it again. " + SAVE_AS_UTF8)


def _guess_foreign_encoding(data: bytes) -> str | None:
    """The legacy encoding a file most likely is, in words, when one of the common ones reads it as real text.

    >>> _guess_foreign_encoding("Синхронизация сделок".encode("koi8_r"))
    'KOI8-R (Cyrillic)'
    """
    # Alphabets with upper and lower case: nearly every letter is of the alphabet, and most are lower case (each
    # of these encodings puts another one's lower case where its own upper case is).
    for codec, name, low, high in (("koi8_r", "KOI8-R (Cyrillic)", "\u0400", "\u04ff"),
                                   # Greek's lower case is where Windows-1251 has Cyrillic's: either may be meant.
                                   ("cp1251", "Windows-1251 (Cyrillic) or Windows-1253 (Greek)", "\u0400", "\u04ff")):
        wide = [c for c in data.decode(codec, errors="replace") if c > "\x7f"]
        letters = [c for c in wide if low <= c <= high]
        if wide and len(letters) >= 0.9 * len(wide) and sum(c.islower() for c in letters) >= 0.75 * len(letters):
            return name
    # East Asian encodings: most of what is not ASCII must be hangul, kana or ideographs.
    for codec, name, script in (("euc_kr", "EUC-KR (Korean)", "[\uac00-\ud7a3]"),
                                ("cp932", "Shift-JIS (Japanese)", "[\u3040-\u30ff]"),
                                ("gb18030", "a Chinese or Japanese encoding (GB18030, Big5 or Shift-JIS)",
                                 "[\u3040-\u30ff\u4e00-\u9fff]")):
        try:
            wide = [c for c in data.decode(codec) if c > "\x7f"]
        except UnicodeDecodeError:
            continue
        matching = sum(1 for c in wide if re.match(script, c))
        if wide and (matching >= 0.8 * len(wide) if codec != "cp932" else matching > 0):
            return name
    return None


def looks_like_utf7(text: str) -> bool:
    """Whether ASCII text is UTF-7: it reads as UTF-7, and some "+...-" run in it is a letter of a real alphabet.

    Registry text has "+" in it ("C++", "+100-200", "R+D-Team"), but such runs rarely read as UTF-7, and
    never as Latin, Greek, Cyrillic, Japanese or Chinese letters.

    >>> looks_like_utf7("Zo+AOs- M+APw-ller"), looks_like_utf7("C++-based, +100-200, R+D-Team")
    (True, False)
    """
    if "+" not in text:
        return False
    try:
        text.encode("ascii").decode("utf-7")
    except UnicodeDecodeError:
        return False
    for run in _UTF7_RUN.finditer(text):
        try:
            decoded = run.group().encode("ascii").decode("utf-7")
        except UnicodeDecodeError:
            continue
        if decoded and all(c.isalpha() and ("\u00c0" <= c <= "\u04ff" or "\u3040" <= c <= "\u30ff"
                                             or "\u4e00" <= c <= "\u9fff") for c in decoded):
            return True
    return False


def _utf7_refusal() -> str:
    return ("This file is saved as UTF-7 (it writes Zoë as Zo+AOs-), which would garble every name with an accent "
            "or another alphabet. Save it as UTF-8 and upload it again. " + SAVE_AS_UTF8)


def detect_delimiter(first_line: str) -> str:
    """The delimiter of a CSV file, from its header line: Excel in many European locales writes ``;``, "Unicode
    text" writes tabs; ``,`` otherwise.

    >>> detect_delimiter("name;source_system;target_system"), detect_delimiter("name")
    (';', ',')
    """
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","
