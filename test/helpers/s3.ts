import { randomBytes } from 'node:crypto';
import { missingLane } from './missing-lane.ts';
import type { S3BlobConfig } from '../../src/blobs/s3-store.ts';

// The S3 lane: a real S3-compatible server (OpenStack Swift + s3api, started by
// scripts/swift/start.sh, which prints these variables). Unset = fast lane only.

export function s3Enabled(): boolean {
  return Boolean(process.env.REELM_TEST_S3_ENDPOINT);
}

/** Whether to run the S3 variants of a suite: false on a machine without the server, a failure under CI. */
export function s3LaneOn(): boolean {
  return !missingLane(!s3Enabled(), 'REELM_TEST_S3_ENDPOINT is not set (the S3 lane)');
}

/** A fresh, unique bucket name (S3 names: lowercase letters, digits, dashes; ≤ 63). */
export function testBucketName(tag: string): string {
  return `reelm-t-${randomBytes(4).toString('hex')}-${tag}`
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 63);
}

export function s3TestConfig(bucket: string, who: 'reelm' | 'other' = 'reelm'): S3BlobConfig & { kind: 's3' } {
  const env = process.env;
  if (!env.REELM_TEST_S3_ENDPOINT) throw new Error('REELM_TEST_S3_ENDPOINT is not set (run: eval "$(bash scripts/swift/start.sh)")');
  return {
    kind: 's3',
    endpoint: env.REELM_TEST_S3_ENDPOINT,
    region: env.REELM_TEST_S3_REGION ?? 'us-east-1',
    bucket,
    accessKeyId: (who === 'reelm' ? env.REELM_TEST_S3_ACCESS_KEY : env.REELM_TEST_S3_OTHER_ACCESS_KEY) ?? 'reelm:tester',
    secretAccessKey: (who === 'reelm' ? env.REELM_TEST_S3_SECRET_KEY : env.REELM_TEST_S3_OTHER_SECRET_KEY) ?? 'reelm-testing-secret',
  };
}
