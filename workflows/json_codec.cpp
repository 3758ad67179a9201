#include "workflows/json_codec.hpp"

#include "workflows/fields.hpp"
#include "workflows/model.hpp"
#include "workflows/shared_value.hpp"
#include "workflows/ticket_view.hpp"

namespace vocflow {
namespace {

using nlohmann::json;

json value(const auto& v);

struct object_writer {
  json& out;
  template <class T>
  void operator()(std::string_view name, const T& v) const {
    out[std::string{name}] = value(v);
  }
};

json value(const auto& v) {
  using T = std::decay_t<decltype(v)>;
  if constexpr (std::is_same_v<T, time_point>) {
    return v == no_time ? json(nullptr) : json(format_utc(v));
  } else if constexpr (std::is_same_v<T, millis>) {
    return v.count();
  } else if constexpr (std::is_same_v<T, money>) {
    return to_string(v);
  } else if constexpr (std::is_enum_v<T>) {
    return std::string{to_string(v)};
  } else if constexpr (is_vector<T>::value) {
    json a = json::array();
    for (auto& x : v) a.push_back(value(x));
    return a;
  } else if constexpr (is_map<T>::value) {
    json o = json::object();
    for (auto& [k, x] : v) o[k] = value(x);
    return o;
  } else if constexpr (is_shared_value<T>::value) {
    return value(*v);
  } else if constexpr (is_optional<T>::value) {
    return v ? value(*v) : json(nullptr);
  } else if constexpr (has_fields<T>) {
    json o = json::object();
    T::fields(v, object_writer{o});
    return o;
  } else {
    return json(v);
  }
}

}  // namespace

std::string json_text(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

json to_json(const event& e) {
  json o = {{"seq", e.seq},
            {"type", e.type()},
            {"at", format_utc(e.at)},
            {"actor", e.actor},
            {"role", e.role}};
  std::visit([&](auto& body) { std::decay_t<decltype(body)>::fields(body, object_writer{o}); },
             e.body);
  return o;
}

json to_json(const ticket& t) {
  json o = value(t);
  json holds = json::array();
  for (auto h : all_holds)
    if (t.holds & static_cast<uint8_t>(h)) holds.push_back(std::string{to_string(h)});
  o["holds"] = holds;
  return o;
}

json to_json(const ticket_fields& f) {
  return value(f);
}

json to_json(const ticket_view& v) {
  return value(v);
}

json to_json(const ticket_view& v, const ticket_detail& d) {
  json o = value(v);
  ticket_detail::fields(d, object_writer{o});
  return o;
}

}  // namespace vocflow
