import { useSyncExternalStore } from 'react';

// English and French; the browser's language picks one on first visit, the
// settings screen switches and remembers it.

const en = {
  forYou: 'For You', following: 'Following', feeds: 'Feeds', home: 'Home', discover: 'Discover', upload: 'Upload', inbox: 'Inbox', profile: 'Profile', settings: 'Settings',
  signUp: 'Sign up', logIn: 'Log in', logOut: 'Log out', handle: 'Username', email: 'Email', password: 'Password', birthDate: 'Date of birth',
  country: 'Country', displayName: 'Display name', login: 'Username or email', createAccount: 'Create account', haveAccount: 'Already have an account? Log in',
  noAccount: 'New here? Sign up', homeRealmSentence: 'Your data will be kept in the {realm} realm, run by {operator}, because you live in {country}.',
  yourHomeRealm: 'Your home realm: {realm}, run by {operator}.',
  like: 'Like', unlike: 'Unlike', comments: 'Comments', favorite: 'Save', unfavorite: 'Unsave', share: 'Share', notInterested: 'Not interested', why: 'Why this video',
  follow: 'Follow', unfollow: 'Following', linkCopied: 'Link copied', tapToUnmute: 'Tap to unmute', paused: 'Paused', sound: 'Sound',
  emptyFollowing: 'Nothing here yet. Follow people to see their videos.', emptyForYou: 'No videos yet. Find people to follow in Discover.',
  addComment: 'Add a comment…', send: 'Send', reply: 'Reply', delete: 'Delete', loadMore: 'Load more', replies: '{n} replies', pinned: 'Pinned', close: 'Close',
  noComments: 'No comments yet. Be the first.', chooseFile: 'Choose a video or drop it here', caption: 'Caption', audience: 'Who can watch',
  public: 'Everyone', followers: 'Followers', private: 'Only me', whoComment: 'Who can comment', whoDuet: 'Who can duet', everyone: 'Everyone', noOne: 'No one',
  allowDownload: 'Allow download', post: 'Post', uploading: 'Uploading', processing: 'Processing your video…', ready: 'Posted!', retry: 'Try again',
  speed: '{speed}/s · {left} left', resumed: 'Resuming your earlier upload from {pct}%.', viewPost: 'Watch it',
  followersN: 'followers', follower1: 'follower', followingN: 'following', likesN: 'likes', editProfile: 'Edit profile', save: 'Save', bio: 'Bio', links: 'Links (one per line)',
  avatar: 'Avatar', privateAccount: 'Private account', views: '{n} views', noVideos: 'No videos yet.',
  search: 'Search', accounts: 'Accounts', hashtags: 'Hashtags', sounds: 'Sounds', videos: 'Videos', trending: 'Trending', noResults: 'Nothing found.',
  useSound: 'Use this sound', notifications: 'Notifications', noNotifications: 'No notifications yet.', markRead: 'Mark all read',
  account: 'Account', changePassword: 'Change password', currentPassword: 'Current password', newPassword: 'New password', sessions: 'Sessions',
  sessionsNote: 'The devices you are logged in on. Changing your password logs out all the others too.',
  thisDevice: 'This device', sessionTimes: 'Logged in {created} · last used {used}', logOutOthers: 'Log out everywhere else',
  privacy: 'Privacy', blocked: 'Blocked accounts', unblock: 'Unblock', noBlocked: 'You have not blocked anyone.', yourData: 'Your data',
  dataSentence: 'Everything you post and everything about you is stored in the {realm} realm, run by {operator}; it leaves it only as the flows in the detail allow.',
  staffLog: 'Staff access log', noStaffReads: 'No staff member has read your data.', language: 'Language', saved: 'Saved.', loading: 'Loading…',
  offline: 'You are offline.', signInToSee: 'Log in to see this.', notFound: 'This page does not exist.', goHome: 'Go home', whyFallback: 'You see this video because you follow @{handle}.',
  hidden: 'We will show fewer videos like this.', block: 'Block', tracks: 'Detail',
  keepOriginal: 'Keep the original sound', originalSound: 'Original sound (the video’s own audio)', soundMode: 'With the video’s own audio',
  soundReplace: 'Replace it with this sound', soundMix: 'Mix both', addedSoundVolume: 'Added sound', originalVolume: 'Original sound', searchSounds: 'Search sounds', videosN: '{n} videos', video1: '1 video', preview: 'Preview',
  noPreview: 'This browser cannot preview this file; the server will still check it.', trim: 'Trim', trimStart: 'Start', trimEnd: 'End',
  trimLength: 'Keeps {s}', duetWith: 'Duet with @{handle}: your video on the left, theirs on the right.', cancel: 'Cancel', otherFile: 'Another file',
  startUpload: 'Upload and post', muteOriginal: 'Mute the original sound', suggestions: 'Suggestions', duet: 'Duet', more: 'More', pin: 'Pin', unpin: 'Unpin',
  report: 'Report',
  screenTimeReminder: 'You have spent {n} minutes here today. Time for a break?', gotIt: 'Got it',
  pinToProfile: 'Pin to your profile', unpinFromProfile: 'Unpin from your profile', pinnedToProfile: 'Pinned to your profile', unpinned: 'Unpinned',
  shareUnverified: 'This video is labelled “Unverified content”. Share it anyway?', shareAnyway: 'Share anyway',
  label_unverified: 'Unverified content', label_sensitive: 'Sensitive content', label_misleading: 'Misleading', label_age_restricted: '18+',
  label_state_affiliated: 'State-affiliated media',
  accountDeleted: 'Your account has been deleted.',
  interestsTitle: 'What do you like to watch?', interestsHint: 'Pick a few topics for your first For You videos. You can skip this.', interestsSave: 'Continue', skip: 'Skip',
};
type Key = keyof typeof en;
const fr: Record<Key, string> = {
  forYou: 'Pour toi', following: 'Abonnements', feeds: 'Fils', home: 'Accueil', discover: 'Découvrir', upload: 'Publier', inbox: 'Boîte', profile: 'Profil', settings: 'Réglages',
  signUp: 'Créer un compte', logIn: 'Se connecter', logOut: 'Se déconnecter', handle: "Nom d'utilisateur", email: 'E-mail', password: 'Mot de passe',
  birthDate: 'Date de naissance', country: 'Pays', displayName: 'Nom affiché', login: "Nom d'utilisateur ou e-mail", createAccount: 'Créer le compte',
  haveAccount: 'Déjà un compte ? Se connecter', noAccount: 'Nouveau ? Créer un compte',
  homeRealmSentence: 'Vos données seront conservées dans le royaume {realm}, géré par {operator}, parce que vous vivez en/au {country}.',
  yourHomeRealm: 'Votre royaume : {realm}, géré par {operator}.',
  like: "J'aime", unlike: "Je n'aime plus", comments: 'Commentaires', favorite: 'Enregistrer', unfavorite: 'Retirer', share: 'Partager', notInterested: 'Pas intéressé',
  why: 'Pourquoi cette vidéo', follow: 'Suivre', unfollow: 'Abonné', linkCopied: 'Lien copié', tapToUnmute: 'Touchez pour le son', paused: 'En pause', sound: 'Son',
  emptyFollowing: 'Rien pour le moment. Suivez des personnes pour voir leurs vidéos.', emptyForYou: 'Pas encore de vidéos. Trouvez qui suivre dans Découvrir.',
  addComment: 'Ajouter un commentaire…', send: 'Envoyer', reply: 'Répondre', delete: 'Supprimer', loadMore: 'Voir plus', replies: '{n} réponses', pinned: 'Épinglé',
  close: 'Fermer', noComments: 'Aucun commentaire. Soyez le premier.', chooseFile: 'Choisissez une vidéo ou déposez-la ici', caption: 'Légende', audience: 'Qui peut regarder',
  public: 'Tout le monde', followers: 'Abonnés', private: 'Moi seulement', whoComment: 'Qui peut commenter', whoDuet: 'Qui peut faire un duo', everyone: 'Tout le monde',
  noOne: 'Personne', allowDownload: 'Autoriser le téléchargement', post: 'Publier', uploading: 'Envoi', processing: 'Traitement de votre vidéo…', ready: 'Publié !',
  retry: 'Réessayer', speed: '{speed}/s · {left} restantes', resumed: 'Reprise de votre envoi à {pct} %.', viewPost: 'La regarder',
  followersN: 'abonnés', follower1: 'abonné', followingN: 'abonnements', likesN: "j'aime", editProfile: 'Modifier le profil', save: 'Enregistrer', bio: 'Bio', links: 'Liens (un par ligne)',
  avatar: 'Avatar', privateAccount: 'Compte privé', views: '{n} vues', noVideos: 'Pas encore de vidéos.',
  search: 'Rechercher', accounts: 'Comptes', hashtags: 'Hashtags', sounds: 'Sons', videos: 'Vidéos', trending: 'Tendances', noResults: 'Aucun résultat.',
  useSound: 'Utiliser ce son', notifications: 'Notifications', noNotifications: 'Aucune notification.', markRead: 'Tout marquer comme lu',
  account: 'Compte', changePassword: 'Changer le mot de passe', currentPassword: 'Mot de passe actuel', newPassword: 'Nouveau mot de passe', sessions: 'Sessions',
  sessionsNote: 'Les appareils où vous êtes connecté. Changer de mot de passe déconnecte aussi tous les autres.',
  thisDevice: 'Cet appareil', sessionTimes: 'Connecté le {created} · dernière utilisation le {used}', logOutOthers: 'Se déconnecter partout ailleurs',
  privacy: 'Confidentialité', blocked: 'Comptes bloqués', unblock: 'Débloquer', noBlocked: "Vous n'avez bloqué personne.", yourData: 'Vos données',
  dataSentence: 'Tout ce que vous publiez et tout ce qui vous concerne est stocké dans le royaume {realm}, géré par {operator} ; rien n’en sort hors des flux indiqués dans le détail.',
  staffLog: 'Accès du personnel', noStaffReads: "Aucun membre du personnel n'a consulté vos données.", language: 'Langue', saved: 'Enregistré.', loading: 'Chargement…',
  offline: 'Vous êtes hors ligne.', signInToSee: 'Connectez-vous pour voir ceci.', notFound: "Cette page n'existe pas.", goHome: "Retour à l'accueil",
  whyFallback: 'Vous voyez cette vidéo parce que vous suivez @{handle}.', hidden: 'Nous vous montrerons moins de vidéos comme celle-ci.', block: 'Bloquer', tracks: 'Détail',
  keepOriginal: 'Garder le son original', originalSound: 'Son original (celui de la vidéo)', soundMode: 'Avec le son de la vidéo',
  soundReplace: 'Le remplacer par ce son', soundMix: 'Mélanger les deux', addedSoundVolume: 'Son ajouté', originalVolume: 'Son original', searchSounds: 'Rechercher des sons', videosN: '{n} vidéos', video1: '1 vidéo', preview: 'Aperçu',
  noPreview: 'Ce navigateur ne peut pas prévisualiser ce fichier ; le serveur le vérifiera quand même.', trim: 'Couper', trimStart: 'Début', trimEnd: 'Fin',
  trimLength: 'Garde {s}', duetWith: 'Duo avec @{handle} : votre vidéo à gauche, la sienne à droite.', cancel: 'Annuler', otherFile: 'Un autre fichier',
  startUpload: 'Envoyer et publier', muteOriginal: 'Couper le son original', suggestions: 'Suggestions', duet: 'Duo', more: 'Plus', pin: 'Épingler', unpin: 'Désépingler',
  report: 'Signaler',
  screenTimeReminder: 'Vous avez passé {n} minutes ici aujourd’hui. Et si vous faisiez une pause ?', gotIt: 'Compris',
  pinToProfile: 'Épingler sur votre profil', unpinFromProfile: 'Désépingler de votre profil', pinnedToProfile: 'Épinglée sur votre profil', unpinned: 'Désépinglée',
  shareUnverified: 'Cette vidéo est marquée « Contenu non vérifié ». La partager quand même ?', shareAnyway: 'Partager quand même',
  label_unverified: 'Contenu non vérifié', label_sensitive: 'Contenu sensible', label_misleading: 'Trompeur', label_age_restricted: '18+',
  label_state_affiliated: 'Média affilié à un État',
  accountDeleted: 'Votre compte a été supprimé.',
  interestsTitle: 'Qu’aimez-vous regarder ?', interestsHint: 'Choisissez quelques sujets pour vos premières vidéos Pour toi. Vous pouvez passer cette étape.', interestsSave: 'Continuer', skip: 'Passer',
};

export type Lang = 'en' | 'fr';
const dicts: Record<Lang, Record<Key, string>> = { en, fr };
let lang: Lang = (localStorage.getItem('reelm.lang') as Lang | null) ?? (navigator.language.toLowerCase().startsWith('fr') ? 'fr' : 'en');
const listeners = new Set<() => void>();
document.documentElement.lang = lang;

export function setLang(l: Lang) {
  lang = l;
  localStorage.setItem('reelm.lang', l);
  document.documentElement.lang = l;
  listeners.forEach((f) => f());
}

export function t(key: Key, vars: Record<string, string | number> = {}): string {
  return dicts[lang][key].replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}

export function useLang(): Lang {
  return useSyncExternalStore(
    (f) => (listeners.add(f), () => listeners.delete(f)),
    () => lang,
  );
}

/**
 * Strings of a lazily loaded screen, kept in its own chunk so the feed page does not carry them; the French
 * dictionary is typed against the English keys, so a missing translation fails the build, as above.
 */
export function dictionary<E extends Record<string, string>>(en: E, fr: Record<keyof E, string>) {
  const d: Record<Lang, Record<keyof E, string>> = { en, fr };
  return (key: keyof E, vars: Record<string, string | number> = {}) => d[lang][key].replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}

// Intl formatters are costly to build and every row of a list asks for one: one set per language.
const intl = new Map<Lang, { plural: Intl.PluralRules; relative: Intl.RelativeTimeFormat }>();
function formatters() {
  let f = intl.get(lang);
  if (!f) intl.set(lang, (f = { plural: new Intl.PluralRules(lang), relative: new Intl.RelativeTimeFormat(lang, { numeric: 'auto' }) }));
  return f;
}

/** "1 follower" / "3 followers" ("0 abonné" in French: its plural rules say so) */
export const followersLabel = (n: number) => (formatters().plural.select(n) === 'one' ? t('follower1') : t('followersN'));

/** "5 minutes ago" / "il y a 5 minutes" (the browser's own wording); older than a week: the date. */
export function ago(iso: string, now = Date.now()): string {
  const s = Math.round((new Date(iso).getTime() - now) / 1000);
  const rtf = formatters().relative;
  const a = Math.abs(s);
  if (a < 60) return rtf.format(0, 'second');
  if (a < 3600) return rtf.format(Math.round(s / 60), 'minute');
  if (a < 86_400) return rtf.format(Math.round(s / 3600), 'hour');
  if (a < 7 * 86_400) return rtf.format(Math.round(s / 86_400), 'day');
  return new Date(iso).toLocaleDateString(lang, { dateStyle: 'medium' });
}

/** "1 video" / "3 videos" */
export const videoCount = (n: number) => (n === 1 ? t('video1') : t('videosN', { n }));

const known = (k: string): k is Key => k in en;
export const humanize = (code: string) => code.replace(/_/g, ' ');
/** A moderation label's name ("unverified" → "Unverified content"). */
export const labelText = (code: string) => (known(`label_${code}`) ? t(`label_${code}` as Key) : humanize(code));
