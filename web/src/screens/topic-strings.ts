import { dictionary } from '../i18n.ts';

// The sign-up topics' names (ids of src/feed/topics.ts), loaded with the topics step only. A topic the
// server adds before it is translated here shows the server's (English) name.

const topic = dictionary(
  {
    cats: 'Cats',
    dogs: 'Dogs',
    cooking: 'Cooking',
    football: 'Football',
    dance: 'Dance',
    comedy: 'Comedy',
    diy: 'DIY',
    travel: 'Travel',
    fitness: 'Fitness',
    music: 'Music',
    gaming: 'Gaming',
    art: 'Art',
    science: 'Science',
    fashion: 'Fashion',
    makeup: 'Make-up',
    cars: 'Cars',
    books: 'Books',
    garden: 'Gardening',
    surf: 'Surfing',
    chess: 'Chess',
  },
  {
    cats: 'Chats',
    dogs: 'Chiens',
    cooking: 'Cuisine',
    football: 'Football',
    dance: 'Danse',
    comedy: 'Humour',
    diy: 'Bricolage',
    travel: 'Voyage',
    fitness: 'Fitness',
    music: 'Musique',
    gaming: 'Jeux vidéo',
    art: 'Art',
    science: 'Sciences',
    fashion: 'Mode',
    makeup: 'Maquillage',
    cars: 'Voitures',
    books: 'Livres',
    garden: 'Jardinage',
    surf: 'Surf',
    chess: 'Échecs',
  },
);

const known = new Set([
  'cats',
  'dogs',
  'cooking',
  'football',
  'dance',
  'comedy',
  'diy',
  'travel',
  'fitness',
  'music',
  'gaming',
  'art',
  'science',
  'fashion',
  'makeup',
  'cars',
  'books',
  'garden',
  'surf',
  'chess',
]);

/** The topic's name in the interface language; the server's name for one not translated yet. */
export const topicName = (id: string, serverName: string) => (known.has(id) ? topic(id as Parameters<typeof topic>[0]) : serverName);
