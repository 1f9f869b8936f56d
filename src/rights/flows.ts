import { defineFlow, type FlowDeclaration } from '../flows/declarations.ts';
import { id } from '../flows/field-schemas.ts';
import { ACCOUNT_DELETED_FLOW, receiveAccountDeleted } from './deletion.ts';

// The rights part's entry in the flow table: the last message of an account
// deletion, after the specific removals (unfollow, engagement, comments, posts,
// blocks) that keep counts exact. It carries the id alone.
export const RIGHTS_FLOWS: readonly FlowDeclaration[] = [
  defineFlow({
    name: ACCOUNT_DELETED_FLOW,
    purpose:
      'An account was deleted: every realm removes whatever still names it (public copies of posts, comments and engagement, follow edges, blocks, notifications it caused) and purges delivered flow payloads and freed space about it.',
    route: 'deleted person’s home realm → every realm (itself included)',
    retention: 'Nothing is kept once the realm has finished erasing (a progress row with the id alone, removed when done).',
    fields: { user_id: { class: 'operational', schema: id, description: 'the deleted account’s id' } },
    example: { user_id: '01jabcdefghjkmnpqrstvwxyz0' },
    receive: receiveAccountDeleted,
  }),
];
