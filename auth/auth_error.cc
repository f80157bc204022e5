#include "auth/auth_error.h"

namespace mcpwatch {

std::string_view ToString(AuthFailure f) {
  switch (f) {
    case AuthFailure::kConfig: return "config";
    case AuthFailure::kUnreachable: return "unreachable";
    case AuthFailure::kDiscovery: return "discovery";
    case AuthFailure::kRegistration: return "registration";
    case AuthFailure::kAuthorization: return "authorization";
    case AuthFailure::kNeedsPerson: return "needs_person";
    case AuthFailure::kTokenEndpoint: return "token_endpoint";
    case AuthFailure::kCredentialsRejected: return "credentials_rejected";
    case AuthFailure::kInsufficientScope: return "insufficient_scope";
  }
  return "config";
}

}  // namespace mcpwatch
