import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import pg from 'pg';
import { loadConfig, openReelm } from '../../src/composition.ts';
import { follow, unfollow } from '../../src/graph/service.ts';
import { lanes } from '../helpers/lanes.ts';
import { addResident } from './residents.ts';

// R6 across real processes: a sender realm process (us) and a receiver realm
// process (eu) talk over the HTTP transport. The receiver is killed with
// SIGKILL in the middle of delivery, then the sender; both restart; every
// message must end up applied exactly once, in order.

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface Probe {
  inbox(): Promise<{ seq: number; message_id: string; received_at: number }[]>;
  pendingAtSender(): Promise<number>;
  outboxIds(): Promise<string[]>;
  edges(followee: string): Promise<string[]>;
  followerCount(followee: string): Promise<number>;
  close(): Promise<void>;
}

function sqliteProbe(dataDir: string): Probe {
  const open = (realm: string) => new DatabaseSync(join(dataDir, 'realms', realm, 'realm.sqlite'), { readOnly: true });
  const eu = open('eu');
  const us = open('us');
  return {
    inbox: async () => eu.prepare(`select seq, message_id, received_at from flow_inbox where from_realm = 'us' order by rowid`).all() as any,
    pendingAtSender: async () => Number((us.prepare(`select count(*) as n from flow_outbox where state = 'pending'`).get() as { n: number }).n),
    outboxIds: async () => (us.prepare(`select id from flow_outbox where to_realm = 'eu' order by seq`).all() as { id: string }[]).map((r) => r.id),
    edges: async (f) =>
      (eu.prepare(`select follower_id from follower_edges where followee_id = ? order by follower_id`).all(f) as { follower_id: string }[]).map(
        (r) => r.follower_id,
      ),
    followerCount: async (f) => Number((eu.prepare('select follower_count from users where id = ?').get(f) as { follower_count: number }).follower_count),
    close: async () => {
      eu.close();
      us.close();
    },
  };
}

function pgProbe(urls: { us: string; eu: string }): Probe {
  const eu = new pg.Pool({ connectionString: urls.eu, max: 1 });
  const us = new pg.Pool({ connectionString: urls.us, max: 1 });
  return {
    inbox: async () =>
      (await eu.query(`select seq, message_id, received_at from flow_inbox where from_realm = 'us' order by received_at, seq`)).rows.map((r) => ({
        ...r,
        seq: Number(r.seq),
      })),
    pendingAtSender: async () => Number((await us.query(`select count(*) as n from flow_outbox where state = 'pending'`)).rows[0].n),
    outboxIds: async () => (await us.query(`select id from flow_outbox where to_realm = 'eu' order by seq`)).rows.map((r) => r.id),
    edges: async (f) =>
      (await eu.query(`select follower_id from follower_edges where followee_id = $1 order by follower_id`, [f])).rows.map((r) => r.follower_id),
    followerCount: async (f) => Number((await eu.query('select follower_count from users where id = $1', [f])).rows[0].follower_count),
    close: async () => {
      await eu.end();
      await us.end();
    },
  };
}

function startRealmProcess(env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ['src/main.ts', 'serve'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d) => process.env.DEBUG_CRASH && process.stderr.write(d));
  return child;
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 20): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

async function healthy(port: number) {
  await waitFor(`realm process on ${port}`, async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok);
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

for (const lane of lanes()) {
  test(
    `R6: delivery between realm processes survives kill -9 of the receiver then the sender: exactly once, in order (${lane})`,
    { timeout: 120_000 },
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), `reelm-crash-${lane}-`));
      const keyFile = `${dataDir}-audit-key.pem`; // outside the data directory, as required
      writeFileSync(keyFile, generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
      const env: NodeJS.ProcessEnv = {
        REELM_DATA_DIR: dataDir,
        REELM_AUDIT_SIGNING_KEY_FILE: keyFile,
        REELM_SECRET: randomBytes(32).toString('hex'),
        REELM_LOG_LEVEL: 'warn',
        REELM_WORKERS: '1',
        REELM_CONFIG: '',
      };
      delete env.REELM_CONFIG;
      const dbs: string[] = [];
      let urls: { us: string; eu: string } | undefined;
      if (lane === 'postgres') {
        const admin = new pg.Client({ connectionString: process.env.REELM_TEST_PG_URL });
        await admin.connect();
        const tag = `reelm_crash_${randomBytes(4).toString('hex')}`;
        const mk = async (name: string) => {
          await admin.query(`CREATE DATABASE ${tag}_${name}`);
          dbs.push(`${tag}_${name}`);
          const u = new URL(process.env.REELM_TEST_PG_URL!);
          u.pathname = `/${tag}_${name}`;
          return u.toString();
        };
        urls = { us: await mk('us'), eu: await mk('eu') };
        env.REELM_INTL_DATABASE_URL = await mk('intl');
        env.REELM_US_DATABASE_URL = urls.us;
        env.REELM_EU_DATABASE_URL = urls.eu;
        await admin.end();
      }
      const children: ChildProcess[] = [];
      try {
        // Seed: 120 people in us follow one person in eu; every 3rd unfollows, every 6th follows again.
        const reelm = await openReelm(loadConfig({ ...env, REELM_WORKERS: '0' }));
        const followee = await addResident(reelm.realms.get('eu'), 'DE');
        const us = reelm.realms.get('us');
        const snap = { id: followee.id, realm: 'eu', handle: followee.handle, displayName: followee.handle, avatarKey: null };
        const followers = [];
        for (let i = 0; i < 120; i++) followers.push(await addResident(us, 'US'));
        for (const f of followers) await follow(us, f.id, snap);
        for (const [i, f] of followers.entries()) if (i % 3 === 0) await unfollow(us, f.id, followee.id);
        for (const [i, f] of followers.entries()) if (i % 6 === 0) await follow(us, f.id, snap);
        const expected = followers
          .filter((_, i) => i % 3 !== 0 || i % 6 === 0)
          .map((f) => f.id)
          .sort();
        const total = 120 + 40 + 20;
        await reelm.close();

        const probe = lane === 'sqlite' ? sqliteProbe(dataDir) : pgProbe(urls!);
        try {
          const euPort = await freePort();
          const usPort = await freePort();
          const receiverEnv = { ...env, REELM_SERVE_REALMS: 'eu', REELM_PORT: String(euPort) };
          const senderEnv = {
            ...env,
            REELM_SERVE_REALMS: 'us',
            REELM_PORT: String(usPort),
            REELM_FLOW_PEERS: `eu=http://127.0.0.1:${euPort}`,
            REELM_FLOW_BATCH: '3',
          };
          let receiver = startRealmProcess(receiverEnv);
          children.push(receiver);
          await healthy(euPort);
          let sender = startRealmProcess(senderEnv);
          children.push(sender);

          // Kill the receiver while delivery is under way, then the sender.
          const seen = await waitFor(
            'delivery to begin',
            async () => {
              const n = (await probe.inbox()).length;
              return n > 0 ? n : undefined;
            },
            30_000,
            2,
          );
          await kill9(receiver);
          const atKill = (await probe.inbox()).length;
          await sleep(100); // the sender keeps trying against a dead peer
          await kill9(sender);
          assert.ok(seen < total && atKill < total, `the receiver was killed mid-delivery (${atKill} of ${total} applied)`);

          receiver = startRealmProcess(receiverEnv);
          children.push(receiver);
          await healthy(euPort);
          sender = startRealmProcess(senderEnv);
          children.push(sender);
          await waitFor(
            'all messages delivered and acknowledged',
            async () => (await probe.inbox()).length === total && (await probe.pendingAtSender()) === 0,
            Number(process.env.DEBUG_WAIT ?? 60_000),
            50,
          );

          const inbox = await probe.inbox();
          assert.deepEqual(
            inbox.map((r) => Number(r.seq)),
            Array.from({ length: total }, (_, i) => i + 1),
            'applied once each, in sequence order',
          );
          assert.deepEqual(
            inbox.map((r) => r.message_id),
            await probe.outboxIds(),
          );
          for (let i = 1; i < inbox.length; i++) assert.ok(Number(inbox[i]!.received_at) >= Number(inbox[i - 1]!.received_at));
          assert.deepEqual(await probe.edges(followee.id), expected);
          assert.equal(await probe.followerCount(followee.id), expected.length);
        } finally {
          await Promise.all(children.map(kill9));
          await probe.close();
        }
      } finally {
        await Promise.all(children.map(kill9));
        if (dbs.length) {
          const admin = new pg.Client({ connectionString: process.env.REELM_TEST_PG_URL });
          await admin.connect();
          for (const db of dbs) await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
          await admin.end();
        }
        if (!process.env.DEBUG_CRASH) rmSync(dataDir, { recursive: true, force: true });
        rmSync(keyFile, { force: true });
      }
    },
  );
}
