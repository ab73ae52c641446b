import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { withStatementCache } from '../../packages/wardbell/src/store/statement-cache.js';

describe('prepared statement cache', () => {
  it('prepares each SQL text once and hands back the same statement', () => {
    const raw = new SQLite(':memory:');
    let prepared = 0;
    const counting = { prepare: (sql: string) => (prepared++, raw.prepare(sql)), close: () => raw.close() };
    const db = withStatementCache(counting);
    db.prepare('create table t (x integer)').run([]);
    const a = db.prepare('insert into t (x) values (?)');
    const b = db.prepare('insert into t (x) values (?)');
    expect(b).toBe(a);
    a.run([1]);
    b.run([2]);
    expect(db.prepare('select sum(x) as s from t').all([])).toEqual([{ s: 3 }]);
    expect(prepared).toBe(3);
    db.close();
    expect(raw.open).toBe(false);
  });

  it('drops the least recently used statement beyond its size', () => {
    const raw = new SQLite(':memory:');
    const seen: string[] = [];
    const db = withStatementCache({ prepare: (sql: string) => (seen.push(sql), raw.prepare(sql)), close: () => raw.close() }, 2);
    db.prepare('select 1');
    db.prepare('select 2');
    db.prepare('select 1'); // 1 is now the most recent
    db.prepare('select 3'); // evicts 2
    db.prepare('select 1');
    db.prepare('select 2'); // prepared again
    expect(seen).toEqual(['select 1', 'select 2', 'select 3', 'select 2']);
    db.close();
  });

  it('keeps working after the schema changes under a cached statement', () => {
    const db = withStatementCache(new SQLite(':memory:'));
    db.prepare('create table t (x integer)').run([]);
    db.prepare('insert into t (x) values (1)').run([]);
    expect(db.prepare('select * from t').all([])).toEqual([{ x: 1 }]);
    db.prepare('alter table t add column y integer default 7').run([]);
    expect(db.prepare('select * from t').all([])).toEqual([{ x: 1, y: 7 }]);
    db.close();
  });
});
