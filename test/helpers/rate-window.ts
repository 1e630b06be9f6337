/**
 * The most calls that started within any rolling window of `windowMs`, counted the way the Infobip
 * fake counts (a call at `t` is in the window of a call at `now` when `t > now - windowMs`).
 */
export function maxInRollingWindow(times: readonly number[], windowMs = 1_000): number {
  const sorted = [...times].sort((a, b) => a - b)
  let max = 0
  let start = 0
  for (let end = 0; end < sorted.length; end += 1) {
    while ((sorted[start] ?? 0) <= (sorted[end] ?? 0) - windowMs) {
      start += 1
    }
    max = Math.max(max, end - start + 1)
  }
  return max
}
