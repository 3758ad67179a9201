#include "actors/registry.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

namespace vocflow::actors {
namespace {

struct registry_state {
  static inline const char* name = "vocflow.registry";
  runtime_env env;
};

}  // namespace

namespace {

bool is_topics(const std::string& yaml) {
  try {
    auto doc = YAML::Load(yaml);
    return doc.IsMap() && doc["kind"] && doc["kind"].IsScalar() && doc["kind"].Scalar() == "topics";
  } catch (const YAML::Exception&) {
    return false;  // the flow loader reports it
  }
}

// A new version of what complaints are about: it serves every text read from now on.
deploy_result deploy_topics(flow_library& library, storage::store& db, const std::string& yaml,
                            const std::string& name, deploy_mode mode) {
  deploy_result out;
  diagnostics d;
  auto t = load_topics({name, yaml}, library.org(), library.flow_ids(), d);
  out.diagnostics = d.items();
  if (!t) return out;
  out.key = fmt::format("topics@{}", t->version);
  auto now = library.topics();
  if (now && now->version == t->version && now->source == yaml) {
    out.ok = out.unchanged = true;
    return out;
  }
  if (now && now->version >= t->version) {
    out.diagnostics.push_back({name,
                               {1, 1},
                               severity::error,
                               "version-not-newer",
                               fmt::format("topics version {} is deployed; a new version must "
                                           "be above it",
                                           now->version)});
    return out;
  }
  if (mode == deploy_mode::check) return out.ok = true, out;
  auto batch = db.batch();
  batch.flow(std::string{topics_id}, t->version, yaml);
  if (auto st = db.write(batch); !st) {
    out.diagnostics.push_back(
        {name, {}, severity::error, "io-error", "cannot store the topics: " + st.message()});
    return out;
  }
  library.set_topics(t);
  out.ok = true;
  spdlog::info("deployed {}", out.key);
  return out;
}

}  // namespace

deploy_result deploy_flow(flow_library& library, storage::store& db, const std::string& yaml,
                          const std::string& name, deploy_mode mode) {
  if (is_topics(yaml)) return deploy_topics(library, db, yaml, name, mode);
  deploy_result out;
  diagnostics d;
  auto f = load_flow({name, yaml}, library.org(), d);
  out.diagnostics = d.items();
  if (!f) return out;
  out.key = f->key();
  if (auto same = library.find(f->id, f->version)) {
    if (same->source == yaml) {
      out.ok = out.unchanged = true;
      return out;
    }
    out.diagnostics.push_back(
        {name, f->pos, severity::error, "version-exists",
         fmt::format("{} is deployed with another text; deploy it as version {}", f->key(),
                     library.newest(f->id)->version + 1)});
    return out;
  }
  if (auto newest = library.newest(f->id); newest && newest->version > f->version) {
    out.diagnostics.push_back(
        {name, f->pos, severity::error, "version-not-newer",
         fmt::format("version {} of `{}` is deployed; a new version must be above it",
                     newest->version, f->id)});
    return out;
  }
  if (mode == deploy_mode::check) return out.ok = true, out;
  auto batch = db.batch();
  batch.flow(f->id, f->version, yaml);
  if (auto st = db.write(batch); !st) {
    out.diagnostics.push_back(
        {name, {}, severity::error, "io-error", "cannot store the flow: " + st.message()});
    return out;
  }
  library.add(f);
  out.ok = true;
  spdlog::info("deployed flow {}", f->key());
  return out;
}

registry_actor spawn_registry(caf::actor_system& sys, const runtime_env& env) {
  return sys.spawn([env](registry_actor::stateful_pointer<registry_state> self)
                       -> registry_actor::behavior_type {
    self->state.env = env;
    return {
        [=](deploy_atom, const std::string& yaml, const std::string& name) {
          auto& e = self->state.env;
          return deploy_flow(*e.flows, *e.db, yaml, name);
        },
        [=](check_atom, const std::string& yaml, const std::string& name) {
          auto& e = self->state.env;
          return deploy_flow(*e.flows, *e.db, yaml, name, deploy_mode::check);
        },
        [=](list_atom) {
          std::vector<flow_info> out;
          auto& flows = *self->state.env.flows;
          for (auto& f : *flows.all())
            out.push_back(
                {f->id, f->version, f->title, f->is_default, flows.newest(f->id) == f, f->source});
          std::sort(out.begin(), out.end(), [](auto& a, auto& b) {
            return std::tie(a.id, a.version) < std::tie(b.id, b.version);
          });
          return out;
        },
    };
  });
}

}  // namespace vocflow::actors
