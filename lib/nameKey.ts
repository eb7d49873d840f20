/** The normalised "name + company" key used to find likely duplicates. */
export function makeNameKey(name: string, company: string | null | undefined): string {
  const fold = (s: string) => s.normalize('NFKC').toLowerCase().replace(/[\s.,'"()（）·-]+/g, ' ').trim();
  return `${fold(name)}|${fold(company ?? '')}`;
}
