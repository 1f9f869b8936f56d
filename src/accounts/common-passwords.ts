// Passwords that appear at the top of every public breach corpus. A password on
// this list (case-insensitive), or one that is mostly a single repeated
// character, is refused at sign-up and at password change.
const LIST = `
123456 123456789 12345678 password qwerty123 qwerty 111111 12345 1234567 1234567890 123123 000000 abc123
password1 iloveyou 1q2w3e4r 1qaz2wsx qwertyuiop 654321 555555 lovely 7777777 888888 princess dragon
123qwe 666666 1q2w3e 121212 football monkey baseball letmein welcome welcome1 sunshine master shadow
michael superman ashley jessica charlie trustno1 hello123 freedom whatever qazwsx passw0rd password123
password12 password1234 admin admin123 administrator root toor login changeme secret secret123 zaq12wsx
starwars computer internet access flower hottie loveme zxcvbnm zxcvbnm123 asdfghjkl asdfgh asdf1234
qwer1234 q1w2e3r4 q1w2e3r4t5 1q2w3e4r5t 1qaz2wsx3edc 123456a a123456 123456789a 987654321 11111111
00000000 12341234 112233 159753 147258369 789456123 aa123456 abcd1234 abcdef abcdefg abcdefgh
iloveyou1 princess1 football1 baseball1 monkey123 dragon123 master123 shadow123 sunshine1 letmein1
welcome123 hello hello1 test test123 testing guest guest123 default pass pass123 pass1234 passpass
michelle jennifer jordan23 hunter hunter2 killer batman batman123 soccer hockey ranger daniel thomas
summer winter spring autumn google facebook youtube tiktok instagram twitter linkedin apple samsung
maggie pepper ginger buster tigger cookie chocolate chelsea liverpool arsenal barcelona realmadrid
mustang corvette ferrari porsche harley matrix mercedes nicole jasmine amanda andrea joshua andrew
qwerty1 qwerty12 qwerty1234 qwertyu 1234qwer 123abc abc12345 passwort motdepasse contrasena senha
parola haslo salasana wachtwoord 1234512345 0987654321 9876543210 12121212 13131313 69696969
reelm reelm123 videos music dance funny
`;

const COMMON = new Set(LIST.split(/\s+/).filter(Boolean));

export function isCommonPassword(password: string): boolean {
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return true;
  // "password!!", "Qwerty123?" — a common word with symbols around it
  const core = lower.replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  if (COMMON.has(core)) return true;
  const distinct = new Set(lower).size;
  return distinct <= 2;
}
