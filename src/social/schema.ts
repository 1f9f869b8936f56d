import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { defineTables } from '../realm/tables.ts';
import { createBlockEdges, blockEdgesSpec, type BlockEdgesTable } from './tables/block-edges.ts';
import { createBlocks, blocksSpec, type BlocksTable } from './tables/blocks.ts';
import { createCommentLikes, commentLikesSpec, type CommentLikesTable } from './tables/comment-likes.ts';
import { createComments, commentsSpec, type CommentsTable, commentStateMigration, type CommentState } from './tables/comments.ts';
import { createFavoriteCollections, favoriteCollectionsSpec, type FavoriteCollectionsTable } from './tables/favorite-collections.ts';
import { createFavorites, favoritesSpec, type FavoritesTable } from './tables/favorites.ts';
import { createHandleGrams, handleGramsSpec, type HandleGramsTable } from './tables/handle-grams.ts';
import { createLikes, likesSpec, type LikesTable } from './tables/likes.ts';
import { createNotifications, notificationsSpec, type NotificationsTable } from './tables/notifications.ts';
import { createPostHashtags, postHashtagsSpec, type PostHashtagsTable } from './tables/post-hashtags.ts';
import { createPostIndex, postIndexSpec, type PostIndexTable, postLabelsMigration, teenProtectedMigration } from './tables/post-index.ts';
import { createPostSearch, postSearchSpec, type PostSearchTable, POSTGRES_SEARCH_DOCUMENT } from './tables/post-search.ts';
import { createPosts, postsSpec, type PostsTable, type Audience, type InteractionPolicy } from './tables/posts.ts';
import { createShares, sharesSpec, type SharesTable } from './tables/shares.ts';
import { createVideoComments, videoCommentsSpec, type VideoCommentsTable } from './tables/video-comments.ts';
import { createVideoEngagements, videoEngagementsSpec, type VideoEngagementsTable, type EngagementKind } from './tables/video-engagements.ts';
import { createWatchEvents, watchEventsSpec, type WatchEventsTable } from './tables/watch-events.ts';

// The social layer's tables, split by residency (docs/SOCIAL.md):
//  • resident — a person's own activity, in their home realm: their posts (the
//    authoritative record), likes, comments, favorites, shares, watch events,
//    blocks and notifications.
//  • replica — public projections delivered by declared flows (src/social/flows.ts):
//    post_index (every realm holds the public posts of all realms, so feeds,
//    hashtag/sound pages and search run on the viewer's own realm), and, in a
//    video's realm, the public copies of engagement on it (video_engagements,
//    video_comments). block_edges tells a blocked person's realm about the block.
//
// Each table's row type, classification and creation step live together in
// src/social/tables/<table>.ts; this file assembles them and numbers the migrations.

export type {
  Audience,
  BlockEdgesTable,
  BlocksTable,
  CommentLikesTable,
  CommentState,
  CommentsTable,
  EngagementKind,
  FavoriteCollectionsTable,
  FavoritesTable,
  HandleGramsTable,
  InteractionPolicy,
  LikesTable,
  NotificationsTable,
  PostHashtagsTable,
  PostIndexTable,
  PostSearchTable,
  PostsTable,
  SharesTable,
  VideoCommentsTable,
  VideoEngagementsTable,
  WatchEventsTable,
};
export { POSTGRES_SEARCH_DOCUMENT, commentStateMigration, postLabelsMigration, teenProtectedMigration };

export interface SocialTables {
  posts: PostsTable;
  likes: LikesTable;
  comments: CommentsTable;
  comment_likes: CommentLikesTable;
  favorite_collections: FavoriteCollectionsTable;
  favorites: FavoritesTable;
  shares: SharesTable;
  watch_events: WatchEventsTable;
  blocks: BlocksTable;
  block_edges: BlockEdgesTable;
  notifications: NotificationsTable;
  handle_grams: HandleGramsTable;
  post_index: PostIndexTable;
  post_hashtags: PostHashtagsTable;
  post_search: PostSearchTable;
  video_engagements: VideoEngagementsTable;
  video_comments: VideoCommentsTable;
}

export const socialTables = defineTables([
  postsSpec,
  likesSpec,
  commentsSpec,
  commentLikesSpec,
  favoriteCollectionsSpec,
  favoritesSpec,
  sharesSpec,
  watchEventsSpec,
  blocksSpec,
  notificationsSpec,
  handleGramsSpec,
  blockEdgesSpec,
  postIndexSpec,
  postHashtagsSpec,
  postSearchSpec,
  videoEngagementsSpec,
  videoCommentsSpec,
]);

/** 0020: every social table, created in this order (never reorder or edit: existing databases ran it). */
export const socialMigration: Migration = {
  async up(db: Kysely<any>) {
    for (const create of [
      createPosts,
      createLikes,
      createFavorites,
      createShares,
      createComments,
      createCommentLikes,
      createFavoriteCollections,
      createWatchEvents,
      createBlocks,
      createBlockEdges,
      createNotifications,
      createHandleGrams,
      createPostIndex,
      createPostHashtags,
      createPostSearch,
      createVideoEngagements,
      createVideoComments,
    ]) {
      await create(db);
    }
  },
};
