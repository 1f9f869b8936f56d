import assert from 'node:assert/strict';
import type { TestReelm } from '../helpers/lanes.ts';
import type { TestUser } from '../helpers/users.ts';
import { addStaff } from '../../src/staff/staff.ts';
import type { StaffRole } from '../../src/staff/schema.ts';

// Moderation tests act through the admin API with real staff tokens (`reelm staff add`).

export async function staffToken(t: TestReelm, operator: string, role: StaffRole = 'moderator') {
  const s = await addStaff(t.reelm, { operator, name: `${role} of ${operator}`, role });
  return { id: s.staff.id, headers: { authorization: `Bearer ${s.token}` } };
}

export type StaffAuth = Awaited<ReturnType<typeof staffToken>>;

export function admin(t: TestReelm, staff: StaffAuth) {
  return {
    queue: (realm: string) => t.app.inject({ method: 'GET', url: `/api/v1/admin/realms/${realm}/reports`, headers: staff.headers }),
    act: (realm: string, body: Record<string, unknown>) =>
      t.app.inject({ method: 'POST', url: `/api/v1/admin/realms/${realm}/actions`, headers: staff.headers, payload: body }),
    appeals: (realm: string) => t.app.inject({ method: 'GET', url: `/api/v1/admin/realms/${realm}/appeals`, headers: staff.headers }),
    decide: (realm: string, actionId: string, body: Record<string, unknown>) =>
      t.app.inject({ method: 'POST', url: `/api/v1/admin/realms/${realm}/appeals/${actionId}/decision`, headers: staff.headers, payload: body }),
  };
}

/** A moderator action that must succeed; returns the decision. */
export async function moderate(t: TestReelm, staff: StaffAuth, realm: string, kind: string, id: string, action: string, extra: Record<string, unknown> = {}) {
  const res = await admin(t, staff).act(realm, {
    target: { kind, id },
    action,
    reasonCode: 'misinformation',
    reasonText: `This ${kind} breaks the community guidelines (${action}).`,
    ...extra,
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json();
}

export async function report(t: TestReelm, who: TestUser, kind: string, id: string, reason = 'spam', note?: string) {
  return t.app.inject({ method: 'POST', url: '/api/v1/reports', headers: who.headers, payload: { target: { kind, id }, reason, note } });
}
