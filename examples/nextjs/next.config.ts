import type { NextConfig } from 'next';

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // No rewrites() to Wardbell: the browser opens the event stream on Wardbell itself (with CORS).
  // A rewrite would proxy every stream through this server (docs/NEXTJS.md, "Why not rewrites").
};

export default config;
