// Thin fetch wrapper: same-origin cookie session, and every failure becomes an
// ApiError carrying the server's human sentence (error.message) for the UI.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const offlineMessage = () => (navigator.language.startsWith('fr') ? 'Pas de connexion. Réessayez quand vous serez en ligne.' : 'You are offline. Try again when you are back online.');

export async function api<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      credentials: 'same-origin',
      headers: { ...headers, ...(body instanceof Blob ? { 'content-type': body.type || 'application/octet-stream' } : body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body instanceof Blob ? body : body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw new ApiError(0, 'offline', offlineMessage());
  }
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data?.error?.code ?? 'error', data?.error?.message ?? `The server answered ${res.status}.`);
  return data as T;
}

export const get = <T = any>(path: string) => api<T>('GET', path);

export interface Entity {
  type: 'hashtag' | 'mention';
  start: number;
  end: number;
  tag?: string;
  handle?: string;
}

export interface Post {
  id: string;
  realm: string;
  author: { id: string; handle: string; displayName: string };
  caption: string;
  entities: Entity[];
  audience: 'public' | 'followers' | 'private';
  commentPolicy: string;
  duetPolicy: 'everyone' | 'followers' | 'no_one';
  sound: { id: string; title: string } | null;
  durationMs: number;
  counts: { likes: number; comments: number; shares: number; views: number };
  playUrl: string | null;
  posterUrl: string | null;
  createdAt: string;
  viewer?: { liked: boolean; favorited: boolean; following?: boolean };
  /** moderation labels: unverified, age_restricted, state_affiliated, sensitive, misleading */
  labels?: string[];
  /** ask before sharing (the video is labelled unverified) */
  sharePrompt?: boolean;
  /** information banner for videos with configured hashtags */
  banner?: { text: string; url: string | null } | null;
  /** pinned by its creator to the top of their profile */
  pinned?: boolean;
  /** For You items: why the ranking put it there (src/feed/why.ts) */
  why?: { source: string; sentence: string };
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface HomeRealm {
  name: string;
  displayName: string;
  operator: string;
  country: string;
  countryName: string;
}

export interface Me {
  id: string;
  handle: string;
  displayName: string;
  bio: string;
  avatarUrl: string | null;
  links: { url: string; domain: string }[];
  followerCount: number;
  followingCount: number;
  isPrivate: boolean;
  realm: string;
  labels?: string[];
  email: string;
  country: string;
  homeRealm: HomeRealm;
}

/** The message of a caught error (an ApiError carries the server's sentence). */
export const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));
