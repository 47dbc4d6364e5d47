/**
 * The few FHIR R4 shapes the export writes (https://hl7.org/fhir/R4/), typed as far as it uses them. The
 * tests validate every written resource against the official R4 JSON schema, so these need not be complete.
 */
export interface Coding {
  readonly system: string;
  readonly code: string;
  readonly display?: string;
}

export interface CodeableConcept {
  readonly coding?: readonly Coding[];
  readonly text?: string;
}

export interface Quantity {
  readonly value: number;
  readonly unit: string;
  readonly system: string;
  readonly code: string;
}

export interface Reference {
  readonly reference: string;
  readonly display?: string;
}

export interface Identifier {
  readonly system: string;
  readonly value: string;
}

/** A measured value, or why there is none (FHIR's choice of value[x] or dataAbsentReason). */
export type ObservationValue =
  | { readonly valueQuantity: Quantity }
  | { readonly valueInteger: number }
  | { readonly valueBoolean: boolean }
  | { readonly dataAbsentReason: CodeableConcept };

export type ObservationComponent = { readonly code: CodeableConcept } & ObservationValue;

export type Observation = {
  readonly resourceType: 'Observation';
  readonly id: string;
  readonly meta?: { readonly profile: readonly string[] };
  readonly status: 'final';
  readonly category: readonly CodeableConcept[];
  readonly code: CodeableConcept;
  readonly subject: Reference;
  readonly effectiveDateTime: string;
  readonly issued?: string;
  readonly device: Reference;
  readonly interpretation?: readonly CodeableConcept[];
  readonly note?: readonly { readonly text: string }[];
  readonly derivedFrom?: readonly Reference[];
  readonly component?: readonly ObservationComponent[];
} & (ObservationValue | { readonly component: readonly ObservationComponent[] });

export interface Device {
  readonly resourceType: 'Device';
  readonly id: string;
  readonly identifier: readonly Identifier[];
  readonly deviceName: readonly { readonly name: string; readonly type: 'user-friendly-name' }[];
  readonly type: CodeableConcept;
}

export interface Patient {
  readonly resourceType: 'Patient';
  readonly id: string;
  readonly identifier: readonly Identifier[];
}

export type FhirResource = Observation | Device | Patient;
export type FhirResourceType = FhirResource['resourceType'];

/** The Bulk Data files, one per resource type, in the order they are written. */
export const RESOURCE_TYPES = ['Patient', 'Device', 'Observation'] as const satisfies readonly FhirResourceType[];
