// The group of an application as the form edits it: the first member added leads until the
// coordinator names another; removing the leader passes the lead to the next member.

export interface Group {
  members: string[];
  leader: string | null;
}

export function addMember(members: string[], leader: string | null, person: string): Group {
  if (members.includes(person)) return { members, leader };
  return { members: [...members, person], leader: leader ?? person };
}

export function removeMember(members: string[], leader: string | null, person: string): Group {
  const rest = members.filter((m) => m !== person);
  return { members: rest, leader: leader === person ? (rest[0] ?? null) : leader };
}
