import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { checkEndpointDns, checkEndpointUrl, FORBIDDEN_ADDRESS, guardedLookup, hostAllowed, isNonPublicAddress, type LookupAll } from '../../packages/wardbell/src/push/endpoint.js';

const DEFAULT_HOSTS = ['fcm.googleapis.com', 'updates.push.services.mozilla.com', 'push.apple.com', 'notify.windows.com'];
const strict = { allowedHosts: DEFAULT_HOSTS, allowPrivateNetworks: false };

describe('endpoint URLs', () => {
  it.each([
    'https://fcm.googleapis.com/fcm/send/dpH5lCsTSSM:APA91bH',
    'https://updates.push.services.mozilla.com/wpush/v2/gAAAAABh',
    'https://web.push.apple.com/QGuQyavXutnMH',
    'https://wns2-by3p.notify.windows.com/w/?token=BQYAAAD',
    'https://FCM.googleapis.com./fcm/send/x',
  ])('accepts %s', (url) => {
    expect(checkEndpointUrl(url, strict).ok).toBe(true);
  });

  it.each([
    ['http://fcm.googleapis.com/fcm/send/x', /https/],
    ['https://evil.example/fcm/send/x', /not a known push service/],
    ['https://fcm.googleapis.com.evil.example/x', /not a known push service/],
    ['https://evilfcm.googleapis.com/x', /not a known push service/],
    ['https://user:pw@fcm.googleapis.com/x', /credentials/],
    ['https://fcm.googleapis.com/x#frag', /fragment/],
    ['not a url', /not a URL/],
    ['ftp://fcm.googleapis.com/x', /https/],
    [`https://fcm.googleapis.com/${'a'.repeat(2100)}`, /longer than/],
  ])('refuses %s', (url, reason) => {
    const r = checkEndpointUrl(url, strict);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(reason);
  });

  it.each(['https://127.0.0.1:8443/push/x', 'https://10.1.2.3/push/x', 'https://[::1]/push/x', 'https://169.254.169.254/latest', 'https://[::ffff:127.0.0.1]/x'])(
    'refuses the private address literal %s even when the host list names it',
    (url) => {
      const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
      const r = checkEndpointUrl(url, { allowedHosts: [host], allowPrivateNetworks: false });
      expect(r.ok).toBe(false);
      expect(checkEndpointUrl(url, { allowedHosts: [host], allowPrivateNetworks: true }).ok).toBe(true);
    },
  );

  it('matches allowed hosts on a dot boundary only', () => {
    expect(hostAllowed('a.push.apple.com', ['push.apple.com'])).toBe(true);
    expect(hostAllowed('push.apple.com', ['push.apple.com'])).toBe(true);
    expect(hostAllowed('xpush.apple.com', ['push.apple.com'])).toBe(false);
    expect(hostAllowed('push.apple.com.evil', ['push.apple.com'])).toBe(false);
  });
});

describe('non-public addresses', () => {
  it.each([
    '127.0.0.1', '127.8.9.10', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255',
    '::1', '::', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '64:ff9b::10.0.0.1', 'not-an-ip',
  ])('%s is not public', (ip) => {
    expect(isNonPublicAddress(ip)).toBe(true);
  });

  it.each(['142.250.74.106', '8.8.8.8', '172.32.0.1', '2607:f8b0:4004:c07::5f', '::ffff:8.8.8.8'])('%s is public', (ip) => {
    expect(isNonPublicAddress(ip)).toBe(false);
  });
});

describe('DNS at subscribe time', () => {
  const url = new URL('https://fcm.googleapis.com/fcm/send/x');
  const resolver = (addresses: string[]) => async () => addresses.map((address) => ({ address }));

  it('refuses a host that resolves to a private address (one is enough)', async () => {
    expect(await checkEndpointDns(url, strict, resolver(['142.250.74.106', '10.0.0.5']))).toMatch(/private/);
  });

  it('accepts a host with public addresses only', async () => {
    expect(await checkEndpointDns(url, strict, resolver(['142.250.74.106']))).toBeNull();
  });

  it('refuses a host that does not exist, and lets a transient failure through to the connect-time check', async () => {
    const fail = (code: string) => async () => {
      throw Object.assign(new Error(code), { code });
    };
    expect(await checkEndpointDns(url, strict, fail('ENOTFOUND'))).toMatch(/does not exist/);
    expect(await checkEndpointDns(url, strict, fail('EAI_AGAIN'))).toBeNull();
  });

  it('resolves "localhost" to loopback with the system resolver and refuses it', async () => {
    expect(await checkEndpointDns(new URL('https://localhost:9/x'), { allowedHosts: ['localhost'], allowPrivateNetworks: false })).toMatch(/loopback/);
  });
});

describe('the connect-time lookup guard (DNS rebinding)', () => {
  const fakeLookup =
    (addresses: LookupAddress[]): LookupAll =>
    (_host, _opts, cb) =>
      cb(null, addresses);
  const run = (lookup: ReturnType<typeof guardedLookup>, all: boolean) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: unknown }>((resolve) => lookup('push.example', { all }, (err, address) => resolve({ err, address })));

  it('fails the connection when every address is private', async () => {
    const r = await run(guardedLookup(false, fakeLookup([{ address: '10.0.0.7', family: 4 }])), false);
    expect(r.err?.code).toBe(FORBIDDEN_ADDRESS);
  });

  it('connects only to the public addresses of a mixed answer', async () => {
    const lookup = guardedLookup(false, fakeLookup([{ address: '127.0.0.1', family: 4 }, { address: '142.250.74.106', family: 4 }]));
    expect((await run(lookup, false)).address).toBe('142.250.74.106');
    expect((await run(lookup, true)).address).toEqual([{ address: '142.250.74.106', family: 4 }]);
  });

  it('lets private addresses through only in the testing mode', async () => {
    const r = await run(guardedLookup(true, fakeLookup([{ address: '127.0.0.1', family: 4 }])), false);
    expect(r).toEqual({ err: null, address: '127.0.0.1' });
  });
});
