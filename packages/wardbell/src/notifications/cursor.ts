/** The inbox page cursor: opaque to clients (base64url of the last row's sort key). */

export function encodeCursor(sortAt: number, id: string): string {
  return Buffer.from(`${sortAt}:${id}`, 'utf8').toString('base64url');
}

/** The position a cursor names, or null for anything this service did not issue. */
export function decodeCursor(raw: string): { sortAt: number; id: string } | null {
  const text = Buffer.from(raw, 'base64url').toString('utf8');
  const m = /^(\d{1,16}):([A-Za-z0-9-]{1,64})$/.exec(text);
  if (!m) return null;
  return { sortAt: Number(m[1]), id: m[2] as string };
}
