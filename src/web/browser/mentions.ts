// @mention autocomplete: the composer asks here for the people whose names start with what follows an "@".
// The user directory (GET /users?q=) is not on the server yet, so no one is suggested and nothing is shown; when
// it lands, this fetches from it and returns the names for the composer's suggestion list.
export async function suggestMentions(_prefix: string): Promise<string[]> {
  return [];
}
