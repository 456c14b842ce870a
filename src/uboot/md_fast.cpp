// SPDX-License-Identifier: MIT
#include "uboot/md_fast.hpp"

#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CAMDUMP_MD_SIMD 1
#endif

namespace camdump::uboot::detail {

// Layout of a full md.b line (docs/reference/uboot-console.md#md): "XXXXXXXX:" then 16 tokens " hh" (columns
// 9..56), 2 or 4 spaces, then the 16-character ASCII column.
bool parse_full_md_b_scalar(std::string_view line, MdLine& out) {
  const size_t n = line.size();
  if ((n != 75 && n != 77) || line[8] != ':') return false;
  const auto* s = reinterpret_cast<const unsigned char*>(line.data());
  unsigned bad = 0;
  uint64_t addr = 0;
  for (int i = 0; i < 8; ++i) {
    unsigned v = hex_digit(s[i]);
    bad |= v;
    addr = (addr << 4) | (v & 15);
  }
  unsigned spaces = 0;
  uint8_t bytes[16];
  for (int k = 0; k < 16; ++k) {
    const unsigned char* t = s + 9 + ptrdiff_t{3} * k;
    unsigned hi = hex_digit(t[1]), lo = hex_digit(t[2]);
    bad |= hi | lo;
    spaces |= t[0] ^ ' ';
    bytes[k] = static_cast<uint8_t>((hi << 4) | (lo & 15));
  }
  if ((bad & 0xf0) || spaces) return false;
  const size_t sep = n - 16 - 57;  // 2 or 4
  for (size_t k = 0; k < sep; ++k)
    if (s[57 + k] != ' ') return false;
  const unsigned char* a = s + 57 + sep;
  for (int k = 0; k < 16; ++k)
    if (static_cast<unsigned char>(ascii_of(bytes[k])) != a[k]) return false;
  out.addr = addr;
  out.width = 1;
  out.count = 16;
  std::memcpy(out.bytes.data(), bytes, 16);
  out.ascii_present = true;
  return true;
}

#ifdef CAMDUMP_MD_SIMD

bool simd_available() { return __builtin_cpu_supports("ssse3"); }

namespace {

// Hex digit values of 16 characters, and a mask of the lanes that are hex digits.
__attribute__((target("ssse3"))) inline __m128i hex_values(__m128i c, __m128i& valid) {
  const __m128i digit = _mm_sub_epi8(c, _mm_set1_epi8('0'));
  const __m128i is_digit = _mm_cmpeq_epi8(_mm_min_epu8(digit, _mm_set1_epi8(9)), digit);
  const __m128i letter = _mm_sub_epi8(_mm_or_si128(c, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
  const __m128i is_letter = _mm_cmpeq_epi8(_mm_min_epu8(letter, _mm_set1_epi8(5)), letter);
  valid = _mm_or_si128(is_digit, is_letter);
  return _mm_or_si128(_mm_and_si128(is_digit, digit),
                      _mm_and_si128(is_letter, _mm_add_epi8(letter, _mm_set1_epi8(10))));
}

// Shuffle indexes gathering, from the three 16-byte blocks of the token area (columns 9..24,
// 25..40, 41..56), the high digits (token column 1) and low digits (column 2) of the 16 tokens;
// -1 (0x80) leaves a lane zero so the three gathers can be ORed.
constexpr int8_t gather(int block, int k, int digit) {
  const int pos = 3 * k + digit - 16 * block;
  return pos >= 0 && pos < 16 ? static_cast<int8_t>(pos) : static_cast<int8_t>(-1);
}
#define CAMDUMP_GATHER(b, d)                                                                                          \
  _mm_setr_epi8(gather(b, 0, d), gather(b, 1, d), gather(b, 2, d), gather(b, 3, d), gather(b, 4, d), gather(b, 5, d), \
                gather(b, 6, d), gather(b, 7, d), gather(b, 8, d), gather(b, 9, d), gather(b, 10, d),                 \
                gather(b, 11, d), gather(b, 12, d), gather(b, 13, d), gather(b, 14, d), gather(b, 15, d))

// Bit i set where column 9+16*block+i of a token area is a space (3k), else a digit.
constexpr unsigned space_bits(int block) {
  unsigned m = 0;
  for (int i = 0; i < 16; ++i)
    if ((16 * block + i) % 3 == 0) m |= 1u << i;
  return m;
}

// One 16-byte block of the token area (columns 9+16*B ..): checks that the spaces are where the
// tokens put them and that every other column is a hex digit, and ORs the block's high and low
// digits into place.
template <int B>
__attribute__((target("ssse3"))) inline bool token_block(const char* s, __m128i& hi, __m128i& lo) {
  __m128i valid;
  const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + 9 + ptrdiff_t{16} * B));
  const __m128i v = hex_values(c, valid);
  constexpr unsigned spaces = space_bits(B);
  const auto at_space = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(c, _mm_set1_epi8(' '))));
  const auto at_digit = static_cast<unsigned>(_mm_movemask_epi8(valid));
  hi = _mm_or_si128(hi, _mm_shuffle_epi8(v, CAMDUMP_GATHER(B, 1)));
  lo = _mm_or_si128(lo, _mm_shuffle_epi8(v, CAMDUMP_GATHER(B, 2)));
  return (at_space & spaces) == spaces && (at_digit | spaces) == 0xffff;
}

}  // namespace

__attribute__((target("ssse3"))) bool parse_full_md_b_simd(std::string_view line, MdLine& out) {
  const size_t n = line.size();
  if ((n != 75 && n != 77) || line[8] != ':') return false;
  const char* s = line.data();
  // Address: columns 0..7.
  __m128i avalid;
  const __m128i av = hex_values(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s)), avalid);
  if ((_mm_movemask_epi8(avalid) & 0xff) != 0xff) return false;
  // Tokens: three blocks; spaces where expected, hex digits everywhere else.
  __m128i hi = _mm_setzero_si128(), lo = _mm_setzero_si128();
  // All three blocks are decoded (each fills its part of hi/lo), then checked together.
  const bool ok0 = token_block<0>(s, hi, lo), ok1 = token_block<1>(s, hi, lo), ok2 = token_block<2>(s, hi, lo);
  if (!(ok0 && ok1 && ok2)) return false;
  // Separator: 2 or 4 spaces at column 57.
  const size_t sep = n - 16 - 57;
  for (size_t k = 0; k < sep; ++k)
    if (s[57 + k] != ' ') return false;
  // Digits are <= 15, so a 16-bit shift by 4 moves no bits across bytes.
  const __m128i bytes = _mm_or_si128(_mm_slli_epi16(hi, 4), lo);
  // ASCII column: the byte where 0x20 <= b < 0x7f (signed compare: 0x80..0xff are negative), else '.'.
  const __m128i printable =
      _mm_and_si128(_mm_cmpgt_epi8(bytes, _mm_set1_epi8(0x1f)), _mm_cmplt_epi8(bytes, _mm_set1_epi8(0x7f)));
  const __m128i want = _mm_or_si128(_mm_and_si128(printable, bytes), _mm_andnot_si128(printable, _mm_set1_epi8('.')));
  const __m128i got = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + n - 16));
  if (_mm_movemask_epi8(_mm_cmpeq_epi8(want, got)) != 0xffff) return false;
  // Address digits to a number: pairs of digits to bytes, then the 4 bytes big-endian.
  const __m128i pairs = _mm_maddubs_epi16(av, _mm_setr_epi8(16, 1, 16, 1, 16, 1, 16, 1, 0, 0, 0, 0, 0, 0, 0, 0));
  const __m128i packed = _mm_packus_epi16(pairs, pairs);
  const auto word = static_cast<uint32_t>(_mm_cvtsi128_si32(packed));
  out.addr = __builtin_bswap32(word);
  out.width = 1;
  out.count = 16;
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out.bytes.data()), bytes);
  out.ascii_present = true;
  return true;
}

#undef CAMDUMP_GATHER

#else

bool simd_available() { return false; }
bool parse_full_md_b_simd(std::string_view line, MdLine& out) { return parse_full_md_b_scalar(line, out); }

#endif

}  // namespace camdump::uboot::detail
