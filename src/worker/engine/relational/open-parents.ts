/**
 * Parents that can still take children: removal in O(1) (the last one takes the removed one's
 * place) and draws by position, for the matchers that fill each parent up to its degree.
 */
export class OpenParents {
  /** The open parents, in no particular order. */
  readonly list: number[] = [];
  private readonly where: Int32Array;

  constructor(parents: number, isOpen: (p: number) => boolean) {
    this.where = new Int32Array(parents).fill(-1);
    for (let p = 0; p < parents; p++)
      if (isOpen(p)) {
        this.where[p] = this.list.length;
        this.list.push(p);
      }
  }

  has(p: number): boolean {
    return this.where[p]! >= 0;
  }

  close(p: number): void {
    const k = this.where[p]!;
    if (k < 0) return;
    const last = this.list.pop()!;
    if (last !== p) {
      this.list[k] = last;
      this.where[last] = k;
    }
    this.where[p] = -1;
  }
}
