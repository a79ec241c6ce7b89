import { describe, it, expect } from 'vitest';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { loadChinook, loadSakila } from '../helpers/db';

describe('test helpers load the sample databases', () => {
  it('chinook and sakila in PostgreSQL', async () => {
    const [c, s] = await Promise.all([loadChinook('postgres'), loadSakila('postgres')]);
    try {
      const client = new pg.Client({ connectionString: c.url });
      await client.connect();
      const r = await client.query('select count(*)::int as n from track');
      await client.end();
      expect(r.rows[0].n).toBe(3503);
      const client2 = new pg.Client({ connectionString: s.url });
      await client2.connect();
      const r2 = await client2.query('select count(*)::int as n from rental');
      await client2.end();
      expect(r2.rows[0].n).toBe(16044);
    } finally {
      await Promise.all([c.drop(), s.drop()]);
    }
  }, 120_000);
  it('chinook and sakila in MariaDB', async () => {
    const [c, s] = await Promise.all([loadChinook('mysql'), loadSakila('mysql')]);
    try {
      const conn = await mysql.createConnection(c.url);
      const [rows] = await conn.query('select count(*) as n from Track');
      await conn.end();
      expect(rows).toEqual([{ n: 3503 }]);
      const conn2 = await mysql.createConnection(s.url);
      const [rows2] = await conn2.query('select count(*) as n from rental');
      await conn2.end();
      expect(rows2).toEqual([{ n: 16044 }]);
    } finally {
      await Promise.all([c.drop(), s.drop()]);
    }
  }, 120_000);
});
