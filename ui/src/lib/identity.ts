// The person data a form edits, taken from a stored person or mentor.
import type { IdentityInput } from './bindings/IdentityInput';

type Stored = { [K in keyof IdentityInput]: K extends 'sex' ? string : IdentityInput[K] };

export function identityInput(p: Stored): IdentityInput {
  return {
    iin: p.iin,
    surname: p.surname,
    given_name: p.given_name,
    patronymic: p.patronymic,
    sex: p.sex,
    birth_date: p.birth_date,
    phone: p.phone,
    region: p.region,
    locality: p.locality,
  };
}
