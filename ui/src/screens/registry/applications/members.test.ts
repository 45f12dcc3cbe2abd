import { describe, expect, it } from 'vitest';
import { addMember, removeMember } from './members';

describe('group editing', () => {
  it('makes the first member the leader and keeps the leader as others join', () => {
    let g = addMember([], null, 'a');
    expect(g).toEqual({ members: ['a'], leader: 'a' });
    g = addMember(g.members, g.leader, 'b');
    expect(g).toEqual({ members: ['a', 'b'], leader: 'a' });
  });

  it('does not add the same person twice', () => {
    expect(addMember(['a'], 'a', 'a')).toEqual({ members: ['a'], leader: 'a' });
  });

  it('passes the lead on when the leader leaves, and to nobody when the group empties', () => {
    expect(removeMember(['a', 'b', 'c'], 'a', 'a')).toEqual({ members: ['b', 'c'], leader: 'b' });
    expect(removeMember(['a', 'b'], 'a', 'b')).toEqual({ members: ['a'], leader: 'a' });
    expect(removeMember(['a'], 'a', 'a')).toEqual({ members: [], leader: null });
  });
});
