{{/* Names, labels and the pieces several templates share. */}}

{{- define "cso.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name; a release named like the chart is not repeated ("claude-session-operator"). */}}
{{- define "cso.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "cso.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object; the component distinguishes the operator from its Redis. */}}
{{- define "cso.labels" -}}
helm.sh/chart: {{ include "cso.chart" . }}
app.kubernetes.io/name: {{ include "cso.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: claude-session-operator
{{- end }}

{{- define "cso.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cso.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "cso.redis.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cso.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: redis
{{- end }}

{{- define "cso.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "cso.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "cso.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The leader-election Lease: one per release, so releases sharing a namespace never share a Lease. */}}
{{- define "cso.leaseName" -}}
{{- include "cso.fullname" . }}
{{- end }}

{{- define "cso.redis.fullname" -}}
{{- printf "%s-redis" (include "cso.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The Secret and key holding the Redis password, or nothing when an external Redis has none. */}}
{{- define "cso.redis.passwordSecretName" -}}
{{- if .Values.redis.enabled }}
{{- include "cso.redis.fullname" . }}
{{- else }}
{{- .Values.redis.external.passwordSecret.name }}
{{- end }}
{{- end }}

{{- define "cso.redis.passwordSecretKey" -}}
{{- if .Values.redis.enabled }}redis-password{{ else }}{{ .Values.redis.external.passwordSecret.key }}{{ end }}
{{- end }}

{{- define "cso.redis.url" -}}
{{- if .Values.redis.enabled }}
{{- printf "redis://%s:6379" (include "cso.redis.fullname" .) }}
{{- else }}
{{- required "redis.external.url is required when redis.enabled is false" .Values.redis.external.url }}
{{- end }}
{{- end }}

{{/* The aggregated API's group and version, and the APIService that registers them. */}}
{{- define "cso.api.group" -}}api.claude.sessionops.dev{{- end }}
{{- define "cso.api.version" -}}v1alpha1{{- end }}

{{/* The Secret with the operator's serving certificate (tls.crt, tls.key, ca.crt). */}}
{{- define "cso.tls.secretName" -}}
{{- if .Values.apiService.existingSecret }}
{{- .Values.apiService.existingSecret }}
{{- else }}
{{- printf "%s-tls" (include "cso.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/* The names the kube-apiserver and in-cluster clients know the Service by; the first is the one the
kube-apiserver verifies when it proxies (<service>.<namespace>.svc). */}}
{{- define "cso.tls.dnsNames" -}}
{{- $svc := include "cso.fullname" . }}
{{- $ns := .Release.Namespace }}
{{- list (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.cluster.local" $svc $ns) (printf "%s.%s" $svc $ns) $svc | toJson }}
{{- end }}

{{/*
The chart-generated serving certificate (neither cert-manager nor an existing Secret), base64-encoded like Secret
data, in $._csoServingCert: {crt, key, ca}. Computed once per render (the Secret, the APIService's caBundle and
the Deployment's checksum must see the same certificate; genCA is random) and, on upgrade, taken from the
installed Secret, so the CA the APIService trusts never changes under running pods. Looked up only on upgrade,
like the Redis password: helm-java's template, used by the tests, would otherwise try to reach a cluster.
*/}}
{{- define "cso.tls.generate" -}}
{{- if not (hasKey . "_csoServingCert") }}
{{- $tls := dict }}
{{- if .Release.IsUpgrade }}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "cso.tls.secretName" .) }}
{{- if and $existing $existing.data (index $existing.data "tls.crt") (index $existing.data "tls.key") (index $existing.data "ca.crt") }}
{{- $tls = dict "crt" (index $existing.data "tls.crt") "key" (index $existing.data "tls.key") "ca" (index $existing.data "ca.crt") }}
{{- end }}
{{- end }}
{{- if not $tls }}
{{- $dnsNames := include "cso.tls.dnsNames" . | fromJsonArray }}
{{- $ca := genCA (printf "%s-ca" (include "cso.fullname" .)) 3650 }}
{{- $cert := genSignedCert (first $dnsNames) (list) $dnsNames 3650 $ca }}
{{- $tls = dict "crt" ($cert.Cert | b64enc) "key" ($cert.Key | b64enc) "ca" ($ca.Cert | b64enc) }}
{{- end }}
{{- $_ := set . "_csoServingCert" $tls }}
{{- end }}
{{- end }}

{{/* How the serving certificate comes about: generated (by the chart), certManager or existingSecret. */}}
{{- define "cso.tls.source" -}}
{{- if and .Values.apiService.certManager.enabled .Values.apiService.existingSecret }}
{{- fail "apiService.certManager.enabled and apiService.existingSecret exclude each other: choose one source of the serving certificate" }}
{{- else if .Values.apiService.certManager.enabled }}certManager
{{- else if .Values.apiService.existingSecret }}existingSecret
{{- else }}generated
{{- end }}
{{- end }}

{{/*
What the ClaudeSession and ClaudeMessage reconcilers call, in the namespaces they watch: the union of the
ClusterRoles the operator SDK generates from the reconcilers (target/kubernetes/kubernetes.yml after a build;
ChartRbacIT compares the two). Secrets and ConfigMaps are only read by name, never listed or watched; the only
ConfigMaps created are the runs' prompts (owned by their messages, deleted by the garbage collector).
*/}}
{{- define "cso.rbac.reconcilerRules" -}}
- apiGroups: ["claude.sessionops.dev"]
  resources: ["claudesessions", "claudesessions/status", "claudesessions/finalizers", "claudemessages", "claudemessages/status", "claudemessages/finalizers"]
  verbs: ["get", "list", "watch", "patch", "update", "create", "delete"]
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["get", "list", "watch", "create", "delete"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list"]
- apiGroups: [""]
  resources: ["pods/log"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["create"]
- apiGroups: [""]
  resources: ["persistentvolumeclaims"]
  verbs: ["get", "list", "watch", "create", "patch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- end }}

{{/* The read API's resources (what the kube-apiserver checks before it proxies; the operator checks the rest). */}}
{{- define "cso.rbac.apiReadRule" -}}
- apiGroups: [{{ include "cso.api.group" . | quote }}]
  resources: ["sessions", "sessions/history", "messages", "messages/history", "messages/log"]
  verbs: ["get", "list"]
{{- end }}

{{/* Environment of the operator container: only what is set, so the operator's own defaults apply otherwise. */}}
{{- define "cso.env" -}}
- name: QUARKUS_REDIS_HOSTS
  value: {{ include "cso.redis.url" . | quote }}
{{- $secret := include "cso.redis.passwordSecretName" . }}
{{- if $secret }}
- name: QUARKUS_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ include "cso.redis.passwordSecretKey" . }}
{{- end }}
{{- if not .Values.redis.enabled }}
- name: QUARKUS_REDIS_CLIENT_TYPE
  value: {{ .Values.redis.external.clientType | quote }}
{{- with .Values.redis.external.masterName }}
- name: QUARKUS_REDIS_MASTER_NAME
  value: {{ . | quote }}
{{- end }}
{{- end }}
{{- with .Values.watchNamespaces }}
- name: QUARKUS_OPERATOR_SDK_NAMESPACES
  value: {{ join "," . | quote }}
{{- end }}
{{- /* The API only over TLS (no plain HTTP port at all); health and metrics on the management interface. */}}
- name: QUARKUS_HTTP_SSL_PORT
  value: "8443"
- name: QUARKUS_HTTP_INSECURE_REQUESTS
  value: disabled
- name: QUARKUS_HTTP_SSL_CERTIFICATE_FILES
  value: /etc/cso/tls/tls.crt
- name: QUARKUS_HTTP_SSL_CERTIFICATE_KEY_FILES
  value: /etc/cso/tls/tls.key
{{- if ne (include "cso.tls.source" .) "generated" }}
{{- /* Renewed (cert-manager) or rotated (yours) in the mounted Secret: re-read it, the pods keep running. */}}
- name: QUARKUS_HTTP_SSL_CERTIFICATE_RELOAD_PERIOD
  value: 1h
{{- end }}
- name: QUARKUS_MANAGEMENT_ENABLED
  value: "true"
- name: QUARKUS_MANAGEMENT_PORT
  value: "9000"
{{- with .Values.limits.maxRunning }}
- name: CSO_LIMITS_MAX_RUNNING
  value: {{ . | quote }}
{{- end }}
{{- with .Values.limits.maxRunningPerNamespace }}
- name: CSO_LIMITS_MAX_RUNNING_PER_NAMESPACE
  value: {{ . | quote }}
{{- end }}
- name: JAVA_MAX_MEM_RATIO
  value: {{ .Values.jvmMaxRamPercentage | int | quote }}
- name: GC_CONTAINER_OPTIONS
  value: {{ include "cso.jvmOptions" . | quote }}
- name: CSO_ADMISSION_ENABLED
  value: {{ .Values.admission.enabled | quote }}
- name: CSO_LEADER_ELECTION_LEASE_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: CSO_LEADER_ELECTION_LEASE_NAME
  value: {{ include "cso.leaseName" . | quote }}
{{- $d := .Values.defaults }}
{{- range $name, $value := dict "IMAGE" $d.image "CREDENTIALS_SECRET" $d.credentialsSecret "CREDENTIALS_KEY" $d.credentialsKey "MODEL" $d.model "PERMISSION_MODE" $d.permissionMode "TIMEOUT" $d.timeout "STATE_SIZE" $d.stateSize "STORAGE_CLASS_NAME" $d.storageClassName "SERVICE_ACCOUNT_NAME" $d.serviceAccountName "CPU_REQUEST" $d.resources.requests.cpu "MEMORY_REQUEST" $d.resources.requests.memory "CPU_LIMIT" $d.resources.limits.cpu "MEMORY_LIMIT" $d.resources.limits.memory }}
{{- if $value }}
- name: CSO_DEFAULTS_{{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}
- name: CSO_JOB_TTL_SECONDS_AFTER_FINISHED
  value: {{ .Values.job.ttlSecondsAfterFinished | int | quote }}
- name: CSO_JOB_KEEP_AFTER_RECORD
  value: {{ .Values.job.keepAfterRecord | quote }}
{{- with .Values.policy.allowedEnv }}
- name: CSO_POLICY_ALLOWED_ENV
  value: {{ join "," . | quote }}
{{- end }}
{{- with .Values.policy.settingSources }}
- name: CSO_POLICY_SETTING_SOURCES
  value: {{ join "," . | quote }}
{{- end }}
{{- with .Values.policy.allowedImages }}
- name: CSO_POLICY_ALLOWED_IMAGES
  value: {{ join "," . | quote }}
{{- end }}
{{- with .Values.policy.allowedServiceAccounts }}
- name: CSO_POLICY_ALLOWED_SERVICE_ACCOUNTS
  value: {{ join "," . | quote }}
{{- end }}
{{- with .Values.policy.deniedPermissionModes }}
- name: CSO_POLICY_DENIED_PERMISSION_MODES
  value: {{ join "," . | quote }}
{{- end }}
{{- with .Values.policy.maxBudgetUsd }}
- name: CSO_POLICY_MAX_BUDGET_USD
  value: {{ . | quote }}
{{- end }}
{{- with .Values.policy.maxTurns }}
- name: CSO_POLICY_MAX_TURNS
  value: {{ . | quote }}
{{- end }}
{{- with .Values.policy.maxTimeout }}
- name: CSO_POLICY_MAX_TIMEOUT
  value: {{ . | quote }}
{{- end }}
{{- with .Values.policy.allowedTolerationKeys }}
- name: CSO_POLICY_ALLOWED_TOLERATION_KEYS
  value: {{ join "," . | quote }}
{{- end }}
{{- with .Values.policy.allowedNodeSelectorKeys }}
- name: CSO_POLICY_ALLOWED_NODE_SELECTOR_KEYS
  value: {{ join "," . | quote }}
{{- end }}
{{- with .Values.policy.allowedPodLabelKeys }}
- name: CSO_POLICY_ALLOWED_POD_LABEL_KEYS
  value: {{ join "," . | quote }}
{{- end }}
{{- with .Values.policy.allowedPodAnnotationKeys }}
- name: CSO_POLICY_ALLOWED_POD_ANNOTATION_KEYS
  value: {{ join "," . | quote }}
{{- end }}
{{- with .Values.messages.ttlAfterFinished }}
- name: CSO_MESSAGES_TTL_AFTER_FINISHED
  value: {{ . | quote }}
{{- end }}
- name: CSO_LIMITS_MAX_PROMPT_BYTES
  value: {{ .Values.limits.maxPromptBytes | int | quote }}
- name: CSO_HISTORY_MAX_ENTRIES
  value: {{ .Values.history.maxEntries | int | quote }}
- name: CSO_RESULT_MAX_CHARS
  value: {{ .Values.resultMaxChars | int | quote }}
- name: CSO_PENDING_TIMEOUT
  value: {{ .Values.pendingTimeout | quote }}
- name: CSO_EVENTS_MAX_LENGTH
  value: {{ .Values.events.maxLength | int | quote }}
- name: CSO_EVENTS_MAX_FOLLOWERS
  value: {{ .Values.events.maxFollowers | int | quote }}
- name: CSO_EVENTS_TTL_AFTER_FINISHED
  value: {{ .Values.events.ttlAfterFinished | quote }}
{{- $g := .Values.gateway }}
- name: CSO_GATEWAY_ENABLED
  value: {{ $g.enabled | quote }}
- name: CSO_GATEWAY_HOST
  value: {{ $g.host | quote }}
- name: CSO_GATEWAY_PORT
  value: {{ $g.port | int | quote }}
- name: CSO_GATEWAY_URL
  value: {{ include "cso.gateway.url" . | quote }}
- name: CSO_GATEWAY_UPSTREAM
  value: {{ $g.upstream | quote }}
- name: CSO_GATEWAY_SIGNING_SECRET
  value: {{ include "cso.gateway.signingSecretName" . | quote }}
- name: CSO_GATEWAY_MAX_BODY_BYTES
  value: {{ $g.maxBodyBytes | int64 | quote }}
{{- with $g.namespaceBudgetUsd }}
- name: CSO_GATEWAY_NAMESPACE_BUDGET_USD
  value: {{ . | quote }}
{{- end }}
- name: CSO_GATEWAY_BUDGET_WINDOW
  value: {{ $g.budgetWindow | quote }}
- name: CSO_GATEWAY_MAX_TOKEN_LIFETIME
  value: {{ $g.maxTokenLifetime | quote }}
{{- if include "cso.configFile" . }}
{{- /* Map keys cannot travel as environment variables (SmallRye lower-cases them), so defaults.env and the gateway's
keys are a file. */}}
- name: QUARKUS_CONFIG_LOCATIONS
  value: file:/etc/claude-session-operator/defaults.properties
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Whether the operator gets its properties file (defaults.env, the gateway's keys): "true" or empty. */}}
{{- define "cso.configFile" -}}
{{- if or .Values.defaults.env (and .Values.gateway.enabled .Values.gateway.keys) }}true{{ end }}
{{- end }}

{{/* How runs reach the credential gateway: the operator's Service, on the gateway's port. */}}
{{- define "cso.gateway.url" -}}
{{- printf "http://%s.%s.svc:%d" (include "cso.fullname" .) .Release.Namespace (.Values.gateway.servicePort | int) }}
{{- end }}

{{/* The Secret whose signing-key signs the runs' tokens. */}}
{{- define "cso.gateway.signingSecretName" -}}
{{- printf "%s-gateway" (include "cso.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The JVM flags of jvmOptions (the schema takes -XX: flags only, without spaces in them or shell characters). Refused
too: the flags that run a command (-XX:OnError, -XX:OnOutOfMemoryError) or read more flags from a file.
*/}}
{{- define "cso.jvmOptions" -}}
{{- if regexMatch "-XX:(On[A-Za-z]*|Flags|VMOptionsFile)=" .Values.jvmOptions -}}
{{- fail "jvmOptions: -XX:OnError, -XX:OnOutOfMemoryError, -XX:Flags and -XX:VMOptionsFile run a command or read a file; not taken" -}}
{{- end -}}
{{- .Values.jvmOptions -}}
{{- end -}}
