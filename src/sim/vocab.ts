// The world's fixed vocabularies: demographics with real-looking skew, TMDB genres, and words to build titles from.

/** Occupations as the course's user API spells them, with the weight of each among adults. */
export const OCCUPATIONS: readonly string[] = [
  'college/grad student',
  'K-12 student',
  'executive/managerial',
  'other or not specified',
  'academic/educator',
  'technician/engineer',
  'programmer',
  'writer',
  'sales/marketing',
  'scientist',
  'self-employed',
  'doctor/health care',
  'clerical/admin',
  'lawyer',
  'artist',
  'homemaker',
  'customer service',
  'retired',
  'unemployed',
  'tradesman/craftsman',
  'farmer',
];
export const OCC_STUDENT = 0;
export const OCC_K12 = 1;
export const OCC_RETIRED = 17;
/** Weights for adults 22+ (students are boosted by age in world generation). */
export const OCCUPATION_WEIGHTS: readonly number[] = [8, 0, 12, 14, 9, 10, 7, 4, 7, 4, 4, 5, 5, 2, 4, 2, 3, 3, 2, 2, 0.5];

/** Age bands (inclusive bounds) and their weights: a peak at 24–35. */
export const AGE_BANDS: readonly { lo: number; hi: number; w: number }[] = [
  { lo: 13, hi: 17, w: 5 },
  { lo: 18, hi: 23, w: 17 },
  { lo: 24, hi: 35, w: 38 },
  { lo: 36, hi: 45, w: 20 },
  { lo: 46, hi: 55, w: 11 },
  { lo: 56, hi: 80, w: 9 },
];
export const MALE_SHARE = 0.71;

/** TMDB genres with their ids, and how common each is in a catalog. */
export const GENRES: readonly { id: number; name: string; w: number }[] = [
  { id: 18, name: 'Drama', w: 30 },
  { id: 35, name: 'Comedy', w: 20 },
  { id: 53, name: 'Thriller', w: 10 },
  { id: 10749, name: 'Romance', w: 8 },
  { id: 28, name: 'Action', w: 8 },
  { id: 27, name: 'Horror', w: 6 },
  { id: 80, name: 'Crime', w: 6 },
  { id: 99, name: 'Documentary', w: 6 },
  { id: 12, name: 'Adventure', w: 5 },
  { id: 878, name: 'Science Fiction', w: 4 },
  { id: 10751, name: 'Family', w: 4 },
  { id: 9648, name: 'Mystery', w: 3 },
  { id: 14, name: 'Fantasy', w: 3 },
  { id: 16, name: 'Animation', w: 3 },
  { id: 10769, name: 'Foreign', w: 2 },
  { id: 10402, name: 'Music', w: 2 },
  { id: 36, name: 'History', w: 2 },
  { id: 10752, name: 'War', w: 2 },
  { id: 37, name: 'Western', w: 1 },
  { id: 10770, name: 'TV Movie', w: 1 },
];

export const LANGUAGES: readonly { code: string; name: string; w: number }[] = [
  { code: 'en', name: 'English', w: 70 },
  { code: 'fr', name: 'Français', w: 6 },
  { code: 'it', name: 'Italiano', w: 4 },
  { code: 'ja', name: '日本語', w: 4 },
  { code: 'de', name: 'Deutsch', w: 3 },
  { code: 'es', name: 'Español', w: 3 },
  { code: 'ru', name: 'Pусский', w: 2 },
  { code: 'sv', name: 'svenska', w: 1 },
];

export const COUNTRIES: readonly { iso: string; name: string }[] = [
  { iso: 'US', name: 'United States of America' },
  { iso: 'GB', name: 'United Kingdom' },
  { iso: 'FR', name: 'France' },
  { iso: 'DE', name: 'Germany' },
  { iso: 'IT', name: 'Italy' },
  { iso: 'JP', name: 'Japan' },
  { iso: 'CA', name: 'Canada' },
  { iso: 'ES', name: 'Spain' },
];

export const COMPANIES: readonly string[] = [
  'Columbia Pictures', 'Paramount Pictures', 'Warner Bros.', 'Universal Pictures', 'Twentieth Century Fox Film Corporation',
  'Metro-Goldwyn-Mayer (MGM)', 'New Line Cinema', 'Miramax Films', 'Canal+', 'Studio Ghibli', 'Gaumont', 'Lionsgate',
];

export const ADJECTIVES: readonly string[] = [
  'Dark', 'Last', 'Lost', 'Silent', 'Broken', 'Golden', 'Wild', 'Secret', 'Red', 'Black', 'White', 'Little', 'Big', 'Long',
  'Hidden', 'Final', 'Cold', 'Burning', 'Sweet', 'Strange', 'Dead', 'Living', 'Invisible', 'Crazy', 'Lonely', 'Blue', 'Eternal',
  'Savage', 'Gentle', 'Midnight', 'Empty', 'Dangerous', 'Perfect', 'Quiet', 'Falling', 'Rising', 'Electric', 'Forgotten',
];
export const NOUNS: readonly string[] = [
  'Night', 'City', 'River', 'Heart', 'Road', 'Sun', 'Moon', 'Star', 'House', 'Garden', 'War', 'Game', 'Dream', 'Cat', 'Dog',
  'King', 'Queen', 'Man', 'Woman', 'Girl', 'Boy', 'Summer', 'Winter', 'Island', 'Ghost', 'Storm', 'Train', 'Letter', 'Mirror',
  'Stranger', 'Angel', 'Devil', 'Hunter', 'Doctor', 'Thief', 'Kingdom', 'Empire', 'Ocean', 'Mountain', 'Forest', 'Machine',
  'Soldier', 'Dancer', 'Wolf', 'Bride', 'Lives', 'Others', 'Room', 'Alien', 'Secrets', 'Lies', 'Brothers', 'Sisters', 'Friends',
];
export const NAMES: readonly string[] = [
  'Helena', 'Dracula', 'Johnny', 'Annie', 'Max', 'Sophie', 'Harry', 'Frankenstein', 'Casablanca', 'Chong', 'Cheech', 'Rocky',
  'Oscar', 'Lucy', 'Billy', 'Marie', 'Tokyo', 'Paris', 'Chicago', 'Berlin', 'Texas', 'Jack', 'Emma', 'Charlie', 'Zorro',
];
/** Words with letters outside ASCII: the slug rule drops those letters (Amélie → amlie). */
export const ACCENTED: readonly string[] = [
  'Amélie', 'Café', 'Mañana', 'Über', 'Noël', 'Señor', 'Déjà', 'Garçon', 'Fräulein', 'Crème', 'Élite', 'Año', 'Niño', 'Möbius',
];
