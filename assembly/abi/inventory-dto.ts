// Wire shapes of the non-RBAC objects the guardrail checks read (ServiceAccount, Secret, workloads). Field
// names are the Kubernetes API's; every field is optional and unknown fields are skipped.
// why: json-as cannot decode self-referencing classes, so each nesting level of a pod template has its own class
import { JSON } from "json-as";

@json
export class ObjectReferenceDTO {
  @optional name: string = "";
}

@json
export class OwnerReferenceDTO {
  @optional kind: string = "";
  @optional name: string = "";
  @optional controller: bool = false;
}

@json
export class ServiceAccountTokenProjectionDTO {
  // why: the API server defaults an omitted expirationSeconds to one hour
  @optional expirationSeconds: i64 = 3600;
  @optional audience: string = "";
}

@json
export class VolumeProjectionDTO {
  @optional serviceAccountToken: ServiceAccountTokenProjectionDTO | null = null;
}

@json
export class ProjectedVolumeDTO {
  @optional sources: VolumeProjectionDTO[] = [];
}

@json
export class VolumeDTO {
  @optional projected: ProjectedVolumeDTO | null = null;
}

@json
export class PodSpecDTO {
  @optional serviceAccountName: string = "";
  @optional serviceAccount: string = "";
  @optional automountServiceAccountToken: JSON.Box<bool> | null = null;
  @optional volumes: VolumeDTO[] = [];
}

@json
export class PodTemplateDTO {
  @optional spec: PodSpecDTO | null = null;
}

@json
export class JobSpecDTO {
  @optional template: PodTemplateDTO | null = null;
}

@json
export class JobTemplateDTO {
  @optional spec: JobSpecDTO | null = null;
}

// `spec` of a Pod (the pod spec itself), of a controller (template) or of a CronJob (jobTemplate).
@json
export class WorkloadSpecDTO {
  @optional serviceAccountName: string = "";
  @optional serviceAccount: string = "";
  @optional automountServiceAccountToken: JSON.Box<bool> | null = null;
  @optional volumes: VolumeDTO[] = [];
  @optional template: PodTemplateDTO | null = null;
  @optional jobTemplate: JobTemplateDTO | null = null;
}
