/**
 * Strings in UTF-8 byte order, which is code point order: the order Parquet's BYTE_ARRAY min/max
 * statistics use. JavaScript's `<` compares UTF-16 code units, which puts supplementary characters
 * (surrogate pairs) before U+E000..U+FFFF. A lone surrogate counts as U+FFFD, which is what it becomes
 * when the string is written as UTF-8.
 */
export function compareCodePoints(left: string, right: string): number {
  if (left === right) return 0;
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const a = codePointAt(left, i);
    const b = codePointAt(right, j);
    if (a !== b) return a - b;
    i += a > 0xffff ? 2 : 1;
    j += b > 0xffff ? 2 : 1;
  }
  return (left.length - i) - (right.length - j);
}

function codePointAt(text: string, at: number): number {
  const code = text.codePointAt(at)!;
  return code >= 0xd800 && code <= 0xdfff ? 0xfffd : code;
}
