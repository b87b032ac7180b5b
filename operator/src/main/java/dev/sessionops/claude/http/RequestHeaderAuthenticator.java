package dev.sessionops.claude.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Who a request is from, as the kube-apiserver's front proxy says it: trusted only when the TLS client certificate
 * chains to the front-proxy CA, is meant for client authentication and carries an allowed common name (the rules
 * of Kubernetes' own request-header authenticator). Anything else is anonymous, whatever headers it sent. Pure: the
 * caller gives the certificates, headers and configuration, so every rule is unit-tested.
 */
public final class RequestHeaderAuthenticator {
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String ANY_USAGE = "2.5.29.37.0";

    private RequestHeaderAuthenticator() {
    }

    /** Why a request is not trusted; for the log, never for the response (it would help an attacker tune a forgery). */
    public record Result(Optional<Caller> caller, String refusal, boolean unknownIssuer) {
        static Result refused(String why) {
            return new Result(Optional.empty(), why, false);
        }
    }

    /**
     * @param chain the peer's certificates, leaf first (empty: none was presented)
     * @param headers the request headers, names in lower case
     */
    public static Result authenticate(List<X509Certificate> chain, Map<String, List<String>> headers, FrontProxyConfig config,
            Date now) {
        if (chain.isEmpty()) {
            return Result.refused("no client certificate");
        }
        X509Certificate leaf = chain.get(0);
        if (!verifies(chain, config.clientCas(), now)) {
            // the CA may have rotated: the caller re-reads the trust
            return new Result(Optional.empty(), "the client certificate " + leaf.getSubjectX500Principal()
                    + " is not signed by the front-proxy CA", true);
        }
        if (!forClientAuth(leaf)) {
            return Result.refused("the client certificate is not for client authentication");
        }
        String cn = commonName(leaf);
        if (!config.allowedNames().isEmpty() && !config.allowedNames().contains(cn)) {
            return Result.refused("the client certificate's common name " + cn + " is not an allowed front-proxy name");
        }
        String user = config.usernameHeaders().stream().map(h -> first(headers.get(h.toLowerCase(Locale.ROOT))))
                .filter(u -> u != null && !u.isEmpty()).findFirst().orElse(null);
        if (user == null) {
            return Result.refused("the front proxy named no user");
        }
        List<String> groups = new ArrayList<>();
        config.groupHeaders().forEach(h -> groups.addAll(headers.getOrDefault(h.toLowerCase(Locale.ROOT), List.of())));
        Map<String, List<String>> extra = new LinkedHashMap<>();
        for (String prefix : config.extraHeaderPrefixes()) {
            String p = prefix.toLowerCase(Locale.ROOT);
            for (var h : headers.entrySet()) {
                if (h.getKey().startsWith(p) && h.getKey().length() > p.length()) {
                    // header names cannot carry every character of an extra's key: Kubernetes percent-encodes them
                    String key;
                    try {
                        key = URLDecoder.decode(h.getKey().substring(p.length()), StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
                    } catch (IllegalArgumentException e) {
                        return Result.refused("an extra header's name is not percent-encoded correctly");
                    }
                    extra.computeIfAbsent(key, k -> new ArrayList<>()).addAll(h.getValue());
                }
            }
        }
        return new Result(Optional.of(new Caller(user, null, List.copyOf(groups), Map.copyOf(extra))), null, false);
    }

    /** PKIX path validation to one of the CAs; a chain that presents a CA itself is trimmed before it. */
    static boolean verifies(List<X509Certificate> chain, List<X509Certificate> cas, Date now) {
        try {
            Set<TrustAnchor> anchors = new HashSet<>();
            cas.forEach(ca -> anchors.add(new TrustAnchor(ca, null)));
            List<X509Certificate> path = new ArrayList<>();
            for (X509Certificate c : chain) {
                if (cas.contains(c)) {
                    break;
                }
                path.add(c);
            }
            if (path.isEmpty()) {
                return false; // a CA certificate itself is no client identity
            }
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            params.setDate(now);
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
            return true;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    static boolean forClientAuth(X509Certificate leaf) {
        try {
            List<String> usages = leaf.getExtendedKeyUsage();
            return usages == null || usages.contains(CLIENT_AUTH) || usages.contains(ANY_USAGE);
        } catch (CertificateParsingException e) {
            return false;
        }
    }

    static String commonName(X509Certificate cert) {
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if ("CN".equalsIgnoreCase(rdn.getType())) {
                    return rdn.getValue().toString();
                }
            }
        } catch (InvalidNameException e) {
            return "";
        }
        return "";
    }

    private static String first(List<String> values) {
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
