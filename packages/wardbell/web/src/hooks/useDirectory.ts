import { useCallback, useEffect, useState } from 'react';
import { api, describeError } from '../lib/api.js';
import { sendToken, type Session } from '../lib/session.js';
import type { Member } from '../lib/types.js';

export interface DirectoryState {
  members: Member[];
  error: string | null;
  refresh(): Promise<void>;
  upsert(m: Member): Promise<string | null>;
}

/** The tenant's staff directory (needs a service/admin token): recipients must be in it. */
export function useDirectory(session: Session | null): DirectoryState {
  const [members, setMembers] = useState<Member[]>([]);
  const [error, setError] = useState<string | null>(null);
  const token = session ? sendToken(session) : null;

  const refresh = useCallback(async () => {
    if (!token) return;
    try {
      const r = await api<{ members: Member[] }>('/api/directory/members', { token, query: { limit: 500 } });
      setMembers(r.members);
      setError(null);
    } catch (err) {
      setError(describeError(err));
    }
  }, [token]);

  useEffect(() => {
    setMembers([]);
    void refresh();
  }, [refresh]);

  const upsert = async (m: Member): Promise<string | null> => {
    if (!token) return 'Not signed in.';
    try {
      await api('/api/directory/members', { method: 'PUT', token, body: { members: [m] } });
      await refresh();
      return null;
    } catch (err) {
      return describeError(err);
    }
  };

  return { members, error, refresh, upsert };
}
