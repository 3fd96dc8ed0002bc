{{/* Values key → app name (image suffix, resource name). */}}
{{- define "conjugate.apps" -}}
dataService: data-service
trainingService: training-service
attackService: attack-service
uncertaintyService: uncertainty-service
dashboard: dashboard
{{- end }}

{{/* Apps that speak gRPC and scale out: reached through a headless Service so grpc-js round_robin spreads calls over pods. */}}
{{- define "conjugate.scaledGrpcApps" -}}
[attack-service, uncertainty-service, data-service]
{{- end }}

{{- define "conjugate.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end }}

{{/* Name of one app's resources. Call with (dict "root" $ "app" "data-service"). */}}
{{- define "conjugate.appName" -}}
{{- printf "%s-%s" (include "conjugate.fullname" .root) .app -}}
{{- end }}

{{- define "conjugate.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
app.kubernetes.io/part-of: conjugate
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
{{ include "conjugate.selectorLabels" . }}
{{- end }}

{{- define "conjugate.selectorLabels" -}}
app.kubernetes.io/name: {{ .app }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end }}

{{- define "conjugate.image" -}}
{{- $image := .root.Values.image -}}
{{- printf "%s/%s-%s:%s" $image.registry $image.repository .app (default .root.Chart.AppVersion $image.tag) -}}
{{- end }}

{{/* NATS URL: the bundled chart's client Service, or the external URL. */}}
{{- define "conjugate.natsUrl" -}}
{{- if .Values.nats.enabled -}}
{{- $natsName := ternary .Release.Name (printf "%s-nats" .Release.Name) (contains "nats" .Release.Name) -}}
{{- printf "nats://%s:4222" (default $natsName .Values.nats.fullnameOverride) -}}
{{- else -}}
{{- required "externalNats.url is required when nats.enabled is false" .Values.externalNats.url -}}
{{- end -}}
{{- end }}

{{/* gRPC target of a peer app, e.g. dns:///rel-conjugate-attack-service-headless:50053. */}}
{{- define "conjugate.grpcTarget" -}}
{{- $name := include "conjugate.appName" . -}}
{{- $key := .key -}}
{{- $port := (index .root.Values.services $key).port -}}
{{- if has .app (include "conjugate.scaledGrpcApps" . | fromYamlArray) -}}
{{- printf "dns:///%s-headless:%v" $name $port -}}
{{- else -}}
{{- printf "dns:///%s:%v" $name $port -}}
{{- end -}}
{{- end }}

{{- define "conjugate.checkpointClaim" -}}
{{- default (printf "%s-checkpoints" (include "conjugate.fullname" .)) .Values.persistence.existingClaim -}}
{{- end }}

{{/* Secret holding a gRPC app's tls.crt, tls.key and ca.crt: cert-manager's, or the one named in tls.existingSecrets. */}}
{{- define "conjugate.tlsSecret" -}}
{{- if .root.Values.tls.certManager.enabled -}}
{{- printf "%s-tls" (include "conjugate.appName" .) -}}
{{- else -}}
{{- required (printf "tls.existingSecrets.%s is required when tls.certManager.enabled is false" .key) (index .root.Values.tls.existingSecrets .key) -}}
{{- end -}}
{{- end }}

{{/* Where a pod finds its TLS files, and the env that points service-kit and the clients at them. */}}
{{- define "conjugate.tlsDir" -}}
/etc/conjugate/tls
{{- end }}
