#!/usr/bin/env python3
"""Differential oracle for the JSON tests: Python's json module and float() as the reference.

Modes (all deterministic for a given seed):
  numbers SEED COUNT
      Prints COUNT lines "DECIMAL HEXBITS": a JSON number and the bit pattern of float(DECIMAL),
      or "inf" when it overflows. Covers halfway points, subnormals, long mantissas, huge
      exponents.
  generate SEED COUNT PATH
      Writes COUNT documents to PATH, each framed as a header line "V 0 LENGTH" (valid) or
      "I CATEGORY PYTHON_ACCEPTS LENGTH" (invalid), then LENGTH raw bytes, then a newline.
  check DOCUMENTS OUTPUTS
      OUTPUTS holds, framed as "O LENGTH", the Swift serialization of each valid document.
      Exits non-zero and prints the differences unless json.loads(output) equals
      json.loads(original) exactly (ints as ints, floats by bit pattern, member order).
"""
import decimal
import json
import math
import random
import struct
import sys

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def bits(value):
    return struct.unpack("<Q", struct.pack("<d", value))[0]


def from_bits(pattern):
    return struct.unpack("<d", struct.pack("<Q", pattern))[0]


def exact_decimal(value):
    """The exact decimal expansion of a double, as a plain string."""
    return format(decimal.Decimal(value), "f")


def random_double(rng):
    while True:
        value = from_bits(rng.getrandbits(64))
        if math.isfinite(value):
            return value


def halfway_case(rng):
    """The exact midpoint between a double and its successor, possibly nudged by one unit."""
    if rng.random() < 0.3:
        low = from_bits(rng.getrandbits(52))  # subnormal
    else:
        low = abs(random_double(rng))
    high = math.nextafter(low, math.inf)
    if not math.isfinite(high):
        return repr(low)
    with decimal.localcontext() as context:
        context.prec = 2000
        middle = (decimal.Decimal(low) + decimal.Decimal(high)) / 2
        text = format(middle, "f")
        nudge = rng.choice(["", "up", "down", "truncate"])
        if nudge == "up":
            text += "000000001"
        elif nudge == "down":
            step = decimal.Decimal(1).scaleb(middle.as_tuple().exponent - 9)
            text = format(middle - step, "f")
        elif nudge == "truncate":
            text = text[: max(3, len(text) - rng.randrange(1, 40))].rstrip(".")
    return text


def random_number_text(rng):
    kind = rng.randrange(7)
    sign = "-" if rng.random() < 0.3 else ""
    if kind == 0:
        return sign + repr(abs(random_double(rng)))
    if kind == 1:
        return sign + halfway_case(rng)
    if kind == 2:  # long mantissas, wide exponents
        digits = str(rng.randrange(1, 10)) + "".join(
            rng.choice("0123456789") for _ in range(rng.randrange(0, 40)))
        point = rng.randrange(len(digits) + 1)
        mantissa = digits[:point] + ("." + digits[point:] if point < len(digits) else "")
        return sign + mantissa.lstrip(".") + "e" + str(rng.randrange(-400, 400))
    if kind == 3:  # subnormal and near-overflow territory
        return sign + repr(from_bits(rng.getrandbits(52) | rng.choice([0, 0x7FE << 52])))
    if kind == 4:  # exact decimal expansion of a double, hundreds of digits
        return sign + exact_decimal(abs(random_double(rng)))
    if kind == 5:  # extreme exponents and leading zeros
        return sign + rng.choice(["0.", "0.000000000", "1", "123456789012345678901234567890"]) \
            + str(rng.randrange(1, 1000)) + "e" + str(rng.randrange(-1200, 1200))
    return sign + str(rng.randrange(1, 10**rng.randrange(1, 30))) + "." \
        + str(rng.randrange(10**6)) + "E+" + str(rng.randrange(0, 300))


def numbers(seed, count):
    rng = random.Random(seed)
    fixed = ["0", "-0", "0.0", "-0.0", "1e-400", "-1e-400", "1e309", "1.7976931348623157e308",
             "1.7976931348623158e308", "1.7976931348623159e308", "2.2250738585072011e-308",
             "2.2250738585072012e-308", "4.9406564584124654e-324", "2.4703282292062327e-324",
             "2.4703282292062328e-324", "9007199254740993", "9007199254740993.0",
             "9223372036854775808", "-9223372036854775809", "0.1", "0.3", "123456789e-30"]
    for index in range(count):
        text = fixed[index] if index < len(fixed) else random_number_text(rng)
        value = float(text)
        print(text, "inf" if math.isinf(value) else format(bits(value), "016x"))


# --- documents -------------------------------------------------------------------------------

def random_whitespace(rng):
    if rng.random() < 0.6:
        return ""
    return "".join(rng.choice(" \t\n\r") for _ in range(rng.randrange(1, 4)))


def random_character(rng):
    kind = rng.randrange(6)
    if kind == 0:
        return chr(rng.randrange(0x20))
    if kind == 1:
        return rng.choice('"\\/')
    if kind == 2:
        return chr(rng.randrange(0x80, 0x800))
    if kind == 3:
        code = rng.randrange(0x800, 0x10000 - 0x800)
        return chr(code + 0x800 if code >= 0xD800 else code)  # skip surrogates
    if kind == 4:
        return chr(rng.randrange(0x10000, 0x110000))
    return chr(rng.randrange(0x20, 0x7F))


def encode_character(rng, character):
    code = ord(character)
    escapes = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r",
               "\t": "\\t"}
    must_escape = code < 0x20 or character in '"\\'
    if not must_escape and rng.random() < 0.7:
        return character
    if character in escapes and rng.random() < 0.7:
        return escapes[character]
    if character == "/" and rng.random() < 0.5:
        return "\\/"
    hex_format = rng.choice(["\\u%04x", "\\u%04X"])
    if code >= 0x10000:
        code -= 0x10000
        return hex_format % (0xD800 + (code >> 10)) + hex_format % (0xDC00 + (code & 0x3FF))
    return hex_format % code


def random_string(rng):
    characters = [random_character(rng) for _ in range(rng.randrange(0, 12))]
    return '"' + "".join(encode_character(rng, c) for c in characters) + '"'


def random_json_number(rng):
    choice = rng.randrange(4)
    if choice == 0:
        return str(rng.randrange(INT64_MIN, INT64_MAX + 1))
    if choice == 1:
        return str(rng.randrange(-1000, 1000))
    text = random_number_text(rng)
    return text if math.isfinite(float(text)) else "1.5e3"


def random_value(rng, depth):
    kind = rng.randrange(8 if depth < 6 else 5)
    if kind == 0:
        return rng.choice(["true", "false", "null"])
    if kind in (1, 2):
        return random_json_number(rng)
    if kind in (3, 4):
        return random_string(rng)
    if kind in (5, 6):
        keys = set()
        members = []
        for _ in range(rng.randrange(0, 6 - depth)):
            key = random_string(rng)
            decoded = json.loads(key)
            if decoded in keys:
                continue
            keys.add(decoded)
            members.append(random_whitespace(rng) + key + random_whitespace(rng) + ":"
                           + random_whitespace(rng) + random_value(rng, depth + 1)
                           + random_whitespace(rng))
        return "{" + ",".join(members) + random_whitespace(rng) + "}"
    elements = [random_whitespace(rng) + random_value(rng, depth + 1) + random_whitespace(rng)
                for _ in range(rng.randrange(0, 6 - depth))]
    return "[" + ",".join(elements) + random_whitespace(rng) + "]"


# Each mutation turns a valid document into an invalid one. Python agrees it is invalid except
# for the categories it accepts, which the Swift test asserts explicitly.
INVALID = {
    "trailing_comma_array": lambda rng: "[1,2,]",
    "trailing_comma_object": lambda rng: '{"a":1,}',
    "leading_zero": lambda rng: "[0" + str(rng.randrange(10)) + "]",
    "bad_escape": lambda rng: '"a\\' + rng.choice("xa0'U") + '"',
    "control_character": lambda rng: '"a' + chr(rng.randrange(0x20)) + '"',
    "truncated": lambda rng: None,  # built from a valid document below
    "trailing_garbage": lambda rng: random_value(rng, 5) + " " + rng.choice(["x", "1", "{}", "]"]),
    "bare_word": lambda rng: rng.choice(["tru", "nul", "True", "undefined", "'a'", ".5", "+1"]),
    "nan": lambda rng: rng.choice(["NaN", "Infinity", "-Infinity", "[NaN]"]),
    "lone_surrogate": lambda rng: rng.choice(['"\\ud800"', '"\\udc00x"', '"\\ud800\\u0041"']),
    "duplicate_key": lambda rng: '{"k":1,"j":2,"k":3}',
    "overlong_utf8": None,
    "utf8_surrogate": None,
    "truncated_utf8": None,
    "above_max_utf8": None,
}
RAW_INVALID = {
    "overlong_utf8": lambda rng: b'"' + rng.choice([b"\xc0\xaf", b"\xe0\x80\xaf", b"\xf0\x80\x80\xaf"]) + b'"',
    "utf8_surrogate": lambda rng: b'"\xed\xa0\x80"',
    "truncated_utf8": lambda rng: b'"' + rng.choice([b"\xc3", b"\xe2\x82", b"\xf0\x9f\x98"]) + b'"',
    "above_max_utf8": lambda rng: b'"' + rng.choice([b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80"]) + b'"',
}


def python_accepts(document):
    try:
        json.loads(document)
        return True
    except (ValueError, UnicodeDecodeError):
        return False


def invalid_document(rng):
    category = rng.choice(sorted(INVALID))
    if category in RAW_INVALID:
        return category, RAW_INVALID[category](rng)
    if category == "truncated":
        valid = random_value(rng, 3).encode()
        while len(valid) < 2 or valid[0] not in b'{["':
            valid = random_value(rng, 3).encode()
        return category, valid[: rng.randrange(1, len(valid))]
    return category, INVALID[category](rng).encode()


def generate(seed, count, path):
    rng = random.Random(seed)
    with open(path, "wb") as output:
        for _ in range(count):
            if rng.random() < 0.8:
                document = (random_whitespace(rng) + random_value(rng, 0)
                            + random_whitespace(rng)).encode()
                header = "V 0 %d\n" % len(document)
            else:
                category, document = invalid_document(rng)
                header = "I %s %d %d\n" % (category, python_accepts(document), len(document))
            output.write(header.encode() + document + b"\n")


def read_frames(path):
    with open(path, "rb") as source:
        data = source.read()
    position = 0
    while position < len(data):
        end = data.index(b"\n", position)
        header = data[position:end].decode().split()
        length = int(header[-1])
        yield header, data[end + 1 : end + 1 + length]
        position = end + 1 + length + 1


def canonical(value):
    """A form in which == means JSON-identical: types, float bits, member order."""
    if isinstance(value, bool) or value is None:
        return ("literal", value)
    if isinstance(value, int):
        return ("integer", value)
    if isinstance(value, float):
        return ("double", bits(value))
    if isinstance(value, str):
        return ("string", value)
    if isinstance(value, list) and value and isinstance(value[0], Pairs):
        return ("object", [(key, canonical(item)) for key, item in value[0]])
    if isinstance(value, list):
        return ("array", [canonical(item) for item in value])
    raise TypeError(type(value))


class Pairs(list):
    """Object members in document order (object_pairs_hook), marked apart from arrays."""


def load(document):
    # Integers outside Int64 are doubles in the Swift model: compare them as Python floats.
    def parse_int(text):
        number = int(text)
        return number if INT64_MIN <= number <= INT64_MAX else float(text)

    return json.loads(document, parse_int=parse_int,
                      object_pairs_hook=lambda pairs: [Pairs(pairs)])


def check(documents_path, outputs_path):
    valid = [document for header, document in read_frames(documents_path) if header[0] == "V"]
    outputs = [output for _, output in read_frames(outputs_path)]
    if len(valid) != len(outputs):
        print("expected %d outputs, found %d" % (len(valid), len(outputs)))
        return 1
    failures = 0
    for original, output in zip(valid, outputs):
        if canonical(load(original)) != canonical(load(output)):
            failures += 1
            if failures <= 5:
                print("MISMATCH\n  original: %r\n  output:   %r" % (original, output))
    print("checked %d documents, %d mismatches" % (len(valid), failures))
    return 1 if failures else 0


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "numbers":
        numbers(int(sys.argv[2]), int(sys.argv[3]))
    elif mode == "generate":
        generate(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    elif mode == "check":
        sys.exit(check(sys.argv[2], sys.argv[3]))
    else:
        sys.exit("unknown mode " + mode)
