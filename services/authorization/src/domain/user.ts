export type User = {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly email: string | null;
  readonly passwordHash: string;
  readonly isAdmin: boolean;
  readonly disabled: boolean;
  readonly createdAt: Date;
};

export const ADMIN_USERNAME = 'admin';
export const MINIMUM_PASSWORD_LENGTH = 12;

export type PasswordRejection =
  | { readonly type: 'PasswordTooShort'; readonly minimum: number }
  | { readonly type: 'PasswordIsUsername' };

export function checkPassword(username: string, password: string): PasswordRejection | undefined {
  if ([...password].length < MINIMUM_PASSWORD_LENGTH) return { type: 'PasswordTooShort', minimum: MINIMUM_PASSWORD_LENGTH };
  if (password.toLowerCase() === username.toLowerCase()) return { type: 'PasswordIsUsername' };
  return undefined;
}

/** The instance administrator created at first start. */
export function makeAdmin(input: { id: string; passwordHash: string; now: Date }): User {
  return {
    id: input.id,
    username: ADMIN_USERNAME,
    displayName: 'Administrator',
    email: null,
    passwordHash: input.passwordHash,
    isAdmin: true,
    disabled: false,
    createdAt: input.now,
  };
}
