/** The credential of an `Authorization: Bearer <credential>` header (pure), or undefined when it is not one. */
export function bearerToken(header: string | null | undefined): string | undefined {
  return header ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)?.[1] : undefined;
}
