/**
 * Whether a URL may be fetched for something a deployment configures (an identity provider's key
 * set): https, or plain http on a loopback host (a sidecar, a test server). Pure.
 */
export function httpsOrLoopback(raw: string): boolean {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return false;
  }
  if (u.protocol === 'https:') return true;
  return u.protocol === 'http:' && ['127.0.0.1', '[::1]', 'localhost'].includes(u.hostname);
}
