import type { Transaction } from 'kysely';
import { defineFlow, type FlowDeclaration, type FlowPayload, type ReceiveContext, type ReceiveOutcome } from '../flows/declarations.ts';
import { id, realm } from '../flows/field-schemas.ts';
import { emitFlow } from '../flows/outbox.ts';
import type { RealmDatabase } from '../realm/registry.ts';

// moves.relocated: after a person's data has moved to a new home realm, every realm re-points what
// it holds about them — public copies and edges naming them or their videos — from the old realm to
// the new one, so no list, feed or media link still points to the old realm (R8). Follows of them
// are announced again to the new realm (graph.follow is idempotent there), which also restores a
// follow that arrived at the old realm while the move held their data.

const relocatedFields = {
  user_id: { class: 'operational', schema: id, description: 'the account that moved' },
  from_realm: { class: 'operational', schema: realm, description: 'its old home realm' },
  to_realm: { class: 'operational', schema: realm, description: 'its new home realm' },
} as const;
type RelocatedPayload = FlowPayload<typeof relocatedFields>;

/** Columns `<x>_realm` paired with `<x>_id` naming a person, per table; video_realm is re-pointed for their videos. */
async function receiveRelocated(trx: Transaction<RealmDatabase>, p: RelocatedPayload, ctx: ReceiveContext): Promise<ReceiveOutcome> {
  const db = trx as unknown as Transaction<any>;
  const videos = (await trx.selectFrom('post_index').select('video_id').where('owner_id', '=', p.user_id).execute()).map((r) => r.video_id);
  for (const t of ctx.store.schema.tables) {
    for (const col of Object.keys(t.columns)) {
      const m = /^([a-z]+)_realm$/.exec(col);
      if (!m || !(`${m[1]}_id` in t.columns)) continue;
      const idCol = `${m[1]}_id`;
      if (m[1] === 'video') {
        for (let i = 0; i < videos.length; i += 200) {
          await db
            .updateTable(t.name)
            .set({ [col]: p.to_realm })
            .where(idCol, 'in', videos.slice(i, i + 200))
            .where(col, '=', p.from_realm)
            .execute();
        }
      } else {
        await db
          .updateTable(t.name)
          .set({ [col]: p.to_realm })
          .where(idCol, '=', p.user_id)
          .where(col, '=', p.from_realm)
          .execute();
      }
    }
  }
  // Residents who follow them: the new home learns each follow (again); it keeps an edge only once.
  const followers = await trx
    .selectFrom('follows')
    .innerJoin('users', 'users.id', 'follows.follower_id')
    .select(['follows.follower_id', 'follows.created_at', 'users.handle', 'users.display_name', 'users.avatar_key'])
    .where('follows.followee_id', '=', p.user_id)
    .execute();
  for (const f of followers) {
    await emitFlow(ctx.store, trx, {
      flow: 'graph.follow',
      to: p.to_realm,
      payload: {
        follower_id: f.follower_id,
        followee_id: p.user_id,
        follower_realm: ctx.store.name,
        follower_handle: f.handle,
        follower_display_name: f.display_name,
        follower_avatar_key: f.avatar_key,
        followed_at: Number(f.created_at),
      },
    });
  }
  return 'applied';
}

export const MOVES_FLOWS: FlowDeclaration[] = [
  defineFlow({
    name: 'moves.relocated',
    purpose:
      'A person moved to a new home realm: re-point every public copy, edge and media link naming them or their videos to the new realm, and announce follows of them to it again.',
    route: 'the person’s new home realm → every realm',
    retention: 'Nothing is kept but the re-pointed realm names.',
    fields: relocatedFields,
    example: { user_id: '01jabcdefghjkmnpqrstvwxyz0', from_realm: 'us', to_realm: 'eu' },
    receive: receiveRelocated,
  }),
];
