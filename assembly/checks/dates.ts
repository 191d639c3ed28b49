// Calendar dates as YYYY-MM-DD (suppression expiry, today's date from the host).

function digits(s: string, from: i32, n: i32): i32 {
  let v = 0;
  for (let i = from; i < from + n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    v = v * 10 + (c - 0x30);
  }
  return v;
}

function daysIn(year: i32, month: i32): i32 {
  if (month == 2) return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28;
  return month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
}

export function isDate(s: string): bool {
  if (s.length != 10 || s.charCodeAt(4) != 0x2d || s.charCodeAt(7) != 0x2d) return false;
  const y = digits(s, 0, 4);
  const m = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  if (y < 0 || m < 1 || m > 12 || d < 1) return false;
  return d <= daysIn(y, m);
}
