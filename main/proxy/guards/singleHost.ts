// RFC 9112 §3.2: a request with more than one Host header line gets 400. Node keeps only the first Host in
// req.headers and drops the rest, so the count comes from rawHeaders (name/value pairs as received).

/** Number of Host header lines in a request's raw headers. */
export function hostHeaderCount(rawHeaders: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    if (name !== undefined && name.length === 4 && name.toLowerCase() === 'host') n++;
  }
  return n;
}

/** The 400 message when the Host header is repeated, or null when there is at most one. */
export function duplicateHostProblem(rawHeaders: readonly string[]): string | null {
  const n = hostHeaderCount(rawHeaders);
  return n > 1 ? `The request carries ${n} Host headers; exactly one is allowed (RFC 9112 §3.2).` : null;
}
