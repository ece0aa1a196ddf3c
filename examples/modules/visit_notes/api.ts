// visit_notes' public face: what another module may import from it, and nothing else of it.

export const VISIT_NOTES_PERMISSIONS = {
  read: 'visit_notes.note.read',
  write: 'visit_notes.note.write',
} as const;

export interface VisitNote {
  id: number;
  customer_id: number;
  visited_on: string;
  text: string;
}
