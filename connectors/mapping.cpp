#include "connectors/mapping.hpp"

#include "connectors/encoding.hpp"
#include "workflows/actions.hpp"
#include "workflows/routing.hpp"
#include "workflows/utf8.hpp"
#include "workflows/yaml_reader.hpp"

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <sstream>

namespace vocflow::connectors {
namespace {

// The boolean at `key` of `m` into `out`, when it is there (reported when it is not one).
void read_flag(yaml_context& cx, const map_view& m, std::string_view key, bool& out) {
  if (auto v = m.get(key))
    if (auto b = read_bool(cx, *v, key)) out = *b;
}

std::vector<std::string> strings(yaml_context& cx, const YAML::Node& n, std::string_view what) {
  std::vector<std::string> out;
  for (auto& r : read_names(cx, n, what)) out.push_back(r.name);
  return out;
}

std::optional<value_rule> read_rule(yaml_context& cx, const YAML::Node& n, const std::string& name,
                                    record_format format) {
  value_rule r;
  r.pos = yaml_context::pos(n);
  if (n.IsScalar()) {  // shorthand: the column (CSV) or pointer (JSON)
    auto s = read_string(cx, n, name);
    if (!s) return std::nullopt;
    (format == record_format::csv ? r.columns : r.pointers).push_back(*s);
    return r;
  }
  map_view m{
      cx,
      n,
      name,
      {"column", "columns", "pointer", "pointers", "header", "value", "line", "first", "join",
       "html", "regex", "map", "default", "hash", "split", "date", "zone", "otherwise"}};
  if (!m.ok()) return std::nullopt;
  if (auto v = m.get("column"))
    if (auto s = read_string(cx, *v, "column")) r.columns.push_back(*s);
  if (auto v = m.get("columns")) r.columns = strings(cx, *v, "columns");
  if (auto v = m.get("pointer"))
    if (auto s = read_string(cx, *v, "pointer")) r.pointers.push_back(*s);
  if (auto v = m.get("pointers")) r.pointers = strings(cx, *v, "pointers");
  for (auto& p : r.pointers) try {
      nlohmann::json::json_pointer check{p};
    } catch (const nlohmann::json::exception&) {
      cx.error(n, "bad-pointer",
               fmt::format("`{}` is not a JSON pointer (RFC 6901: /ticket/id)", p));
    }
  if (auto v = m.get("header"))
    if (auto s = read_string(cx, *v, "header")) r.header = ascii_lower(*s);
  if (auto v = m.get("value"))
    if (auto s = read_string(cx, *v, "value")) r.constant = *s;
  read_flag(cx, m, "line", r.line);
  read_flag(cx, m, "first", r.first);
  int sources = (!r.columns.empty()) + (!r.pointers.empty()) + (!r.header.empty()) +
                r.constant.has_value() + r.line;
  if (sources != 1)
    cx.error(n, "bad-mapping",
             fmt::format("`{}` takes its value from exactly one of column(s), pointer(s), "
                         "header, value or line",
                         name));
  if (!r.columns.empty() && format != record_format::csv)
    cx.error(n, "bad-mapping", fmt::format("`{}`: columns are for CSV; JSON takes pointers", name));
  if (!r.pointers.empty() && format == record_format::csv)
    cx.error(n, "bad-mapping", fmt::format("`{}`: pointers are for JSON; CSV takes columns", name));
  read_text(cx, m, "join", r.join);
  if (auto v = m.get("regex")) {
    if (auto s = read_string(cx, *v, "regex")) {
      try {
        r.extract = std::make_shared<const std::regex>(*s, std::regex::ECMAScript);
        if (r.extract->mark_count() < 1)
          cx.error(*v, "bad-regex", fmt::format("`{}` needs a group: the part to keep", *s));
      } catch (const std::regex_error& e) {
        cx.error(*v, "bad-regex",
                 fmt::format("`{}` is not a regular expression: {}", *s, e.what()));
      }
    }
  }
  if (auto v = m.get("map")) {
    map_view table{cx, *v, "map"};
    for (auto& [k, x] : table.entries())
      if (auto s = read_string(cx, x, k.Scalar())) r.table[ascii_lower(trim(k.Scalar()))] = *s;
  }
  if (auto v = m.get("default"))
    if (auto s = read_string(cx, *v, "default")) r.fallback = *s;
  read_flag(cx, m, "hash", r.hash);
  read_flag(cx, m, "html", r.html);
  read_text(cx, m, "split", r.split);
  read_text(cx, m, "date", r.date_format);
  if (auto v = m.get("zone")) {
    if (auto s = read_string(cx, *v, "zone")) {
      try {
        r.zone = date::locate_zone(*s);
      } catch (const std::exception&) {
        cx.error(*v, "unknown-timezone", fmt::format("unknown time zone `{}`", *s));
      }
    }
  }
  if (auto v = m.get("otherwise"))
    if (auto o = read_rule(cx, *v, name, format)) r.otherwise = std::make_shared<value_rule>(*o);
  bool is_time = name == "opened_at" || name == "closed_at";
  if (is_time && r.date_format.empty())
    cx.error(
        n, "bad-mapping",
        fmt::format("`{}` is a time: say its `date` format (e.g. \"%m/%d/%Y\" or iso8601)", name));
  if (!is_time && !r.date_format.empty())
    cx.error(n, "bad-mapping",
             fmt::format("`{}` is not a time; only opened_at and closed_at are", name));
  if (!r.date_format.empty() && r.date_format != "iso8601" && !r.zone)
    cx.error(n, "bad-mapping",
             fmt::format("`{}`: a local date needs the `zone` it was written in", name));
  return r;
}

// The raw value: the columns, pointers or header joined; nullopt when none is there.
std::optional<std::string> raw(const value_rule& v, const record_view& r) {
  if (v.constant) return *v.constant;
  if (v.line) return std::to_string(r.line);
  std::string out;
  bool any = false;
  auto add = [&](std::string_view s) {
    s = trim(s);
    if (s.empty() || (any && v.first)) return;
    if (any) out += v.join;
    out += s;
    any = true;
  };
  if (!v.header.empty() && r.headers)
    if (auto it = r.headers->find(v.header); it != r.headers->end()) add(it->second);
  if (r.row && r.columns)
    for (auto& c : v.columns)
      if (auto it = r.columns->find(c); it != r.columns->end() && it->second < r.row->size())
        add((*r.row)[it->second]);
  if (r.doc)
    for (auto& p : v.pointers) {
      auto ptr = nlohmann::json::json_pointer{p};
      if (!r.doc->contains(ptr)) continue;
      auto& x = (*r.doc)[ptr];
      if (x.is_string())
        add(x.get_ref<const std::string&>());
      else if (x.is_number() || x.is_boolean())
        add(x.dump());
      else if (x.is_array())
        for (auto& item : x)
          if (item.is_string()) add(item.get_ref<const std::string&>());
    }
  if (!any) return std::nullopt;
  return out;
}

std::string pseudonym(std::string_view value) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(value.data(), value.size(), d, &size, EVP_sha256(), nullptr);
  std::string out = "C-";
  for (int i = 0; i < 8; ++i) out += fmt::format("{:02x}", d[i]);
  return out;
}

// The value after the transforms; nullopt when there is none.
std::optional<std::string> value_of(const value_rule& v, const record_view& r) {
  auto x = raw(v, r);
  if (x && v.html) {
    x = html_text(*x);
    if (x->empty()) x.reset();
  }
  if (x && v.extract) {
    std::smatch m;
    if (std::regex_search(*x, m, *v.extract))
      x = m[1].str();
    else
      x.reset();
  }
  if (x && !v.table.empty()) {
    auto it = v.table.find(ascii_lower(trim(*x)));
    if (it != v.table.end())
      x = it->second;
    else if (v.fallback)
      x = *v.fallback;
  }
  if (!x && v.fallback) x = *v.fallback;
  if (x && v.hash) x = pseudonym(*x);
  if (!x && v.otherwise) return value_of(*v.otherwise, r);
  return x;
}

std::vector<std::string> lowered(yaml_context& cx, const YAML::Node& n, std::string_view what) {
  auto out = strings(cx, n, what);
  for (auto& x : out) x = ascii_lower(trim(x));
  return out;
}

std::optional<ignore_rule> read_ignore(yaml_context& cx, const YAML::Node& n,
                                       record_format format) {
  map_view m{cx, n, "ignore rule", {"when", "is", "is_not", "differs_from", "because"}};
  if (!m.ok()) return std::nullopt;
  ignore_rule out;
  auto when = m.require("when");
  if (!when) return std::nullopt;
  auto rule = read_rule(cx, *when, "when", format);
  if (!rule) return std::nullopt;
  out.when = std::move(*rule);
  if (auto v = m.get("is")) out.is = lowered(cx, *v, "is");
  if (auto v = m.get("is_not")) out.is_not = lowered(cx, *v, "is_not");
  if (auto v = m.get("differs_from")) out.differs_from = read_rule(cx, *v, "differs_from", format);
  read_text(cx, m, "because", out.because);
  if ((!out.is.empty()) + (!out.is_not.empty()) + out.differs_from.has_value() != 1)
    cx.error(n, "bad-mapping", "an ignore rule says one of is, is_not or differs_from");
  return out;
}

// Why a delivery is to be left alone ("" when it is not).
std::string ignored_because(const ignore_rule& g, const record_view& r) {
  auto v = value_of(g.when, r);
  if (!v) return {};
  auto x = ascii_lower(trim(*v));
  auto in = [&](const std::vector<std::string>& list) {
    return std::find(list.begin(), list.end(), x) != list.end();
  };
  bool holds = false;
  if (!g.is.empty()) holds = in(g.is);
  if (!g.is_not.empty()) holds = !in(g.is_not);
  if (g.differs_from) {
    auto other = value_of(*g.differs_from, r);
    holds = !other || ascii_lower(trim(*other)) != x;
  }
  if (!holds) return {};
  return g.because.empty() ? fmt::format("`{}` is left alone by this source's mapping", *v)
                           : g.because;
}

std::optional<time_point> parse_time(const value_rule& v, const std::string& text) {
  if (v.date_format == "iso8601") return parse_utc(text);
  std::istringstream in{text};
  date::local_time<millis> local;
  in >> date::parse(v.date_format, local);
  if (in.fail()) {
    // A format of a date alone also takes a date with a time after it, and the other way round.
    in.clear();
    in.str(text);
    date::local_days day;
    in >> date::parse(v.date_format, day);
    if (in.fail()) return std::nullopt;
    local = date::local_time<millis>{day};
  }
  return v.zone->to_sys(local, date::choose::earliest);
}

}  // namespace

const std::regex& template_placeholder() {
  static const std::regex r{R"(\{([A-Za-z_][A-Za-z0-9_.-]*)\})"};
  return r;
}

const std::vector<std::string>& mappable_fields() {
  static const std::vector<std::string> names = {
      "external_id", "customer",  "channel", "category", "product",
      "severity",    "tier",      "text",    "tags",     "contact",
      "opened_at",   "closed_at", "outcome", "status",   "order_value"};
  return names;
}

std::optional<intake_mapping> load_mapping(const source_file& file, diagnostics& diags) {
  yaml_context cx{file.path, diags};
  auto parsed = parse_yaml(file.path, file.text, diags);
  if (!parsed) return std::nullopt;
  auto& doc = *parsed;
  auto errors = diags.error_count();
  map_view m{cx,
             doc,
             "intake mapping",
             {"kind", "source", "format", "encoding", "delimiter", "fields", "attributes", "event",
              "delivery", "ignore", "signature", "reply"}};
  if (!m.ok()) return std::nullopt;
  intake_mapping out;
  out.file = file.path;
  if (auto v = m.require("kind"))
    if (auto s = read_string(cx, *v, "kind"); s && *s != "intake-mapping")
      cx.error(*v, "bad-value", fmt::format("kind must be intake-mapping, not `{}`", *s));
  if (auto v = m.require("source")) {
    if (auto s = read_string(cx, *v, "source")) {
      out.source = *s;
      if (s->empty() || s->find_first_of(": /") != std::string::npos)
        cx.error(*v, "bad-value", "source is a short name without spaces, `:` or `/` (e.g. cfpb)");
    }
  }
  if (auto v = m.get("format")) {
    if (auto s = read_string(cx, *v, "format")) {
      if (*s == "csv")
        out.format = record_format::csv;
      else if (*s == "jsonl")
        out.format = record_format::jsonl;
      else if (*s == "json")
        out.format = record_format::json;
      else
        cx.error(*v, "bad-value", fmt::format("format is csv, jsonl or json, not `{}`", *s));
    }
  }
  if (auto v = m.get("encoding")) {
    if (auto s = read_string(cx, *v, "encoding")) {
      out.encoding = ascii_lower(*s);
      if (out.encoding != "utf-8" && out.encoding != "gb18030" && out.encoding != "gbk")
        cx.error(*v, "bad-value", fmt::format("encoding is utf-8, gb18030 or gbk, not `{}`", *s));
    }
  }
  if (auto v = m.get("delimiter")) {
    if (auto s = read_string(cx, *v, "delimiter")) {
      if (*s == "\\t") *s = "\t";
      if (s->size() != 1 || *s == "\"" || *s == "\n")
        cx.error(*v, "bad-value", "delimiter is one character (\\t for a tab), not a quote");
      else
        out.delimiter = s->front();
    }
  }
  if (auto v = m.require("fields")) {
    map_view f{cx, *v, "fields", mappable_fields()};
    for (auto& [k, x] : f.entries())
      if (auto r = read_rule(cx, x, k.Scalar(), out.format)) out.fields[k.Scalar()] = *r;
    if (f.ok() && !out.fields.contains("external_id"))
      cx.error(*v, "missing-field",
               "fields need `external_id`: the record's id in its source (imports count each "
               "once by it)");
  }
  if (auto v = m.get("attributes")) {
    map_view a{cx, *v, "attributes"};
    for (auto& [k, x] : a.entries())
      if (auto r = read_rule(cx, x, k.Scalar(), out.format)) out.attributes[k.Scalar()] = *r;
  }
  if (auto v = m.get("event")) {
    out.event = read_rule(cx, *v, "event", out.format);
    if (out.event)
      for (auto& [from, to] : out.event->table)
        if (auto* a = find_action(to);
            to != "open" && to != "ignore" && (!a || a->id == action::timer))
          cx.error(*v, "bad-value",
                   fmt::format("event `{}` maps to `{}`, which is not open, ignore or an action",
                               from, to));
  }
  if (auto v = m.get("delivery")) out.delivery = read_rule(cx, *v, "delivery", out.format);
  if (auto v = m.get("ignore")) {
    if (!v->IsSequence())
      cx.error(*v, "bad-type", "ignore is a list of rules ({when, is | is_not | differs_from})");
    else
      for (const auto& item : *v)
        if (auto g = read_ignore(cx, item, out.format)) out.ignore.push_back(std::move(*g));
  }
  if (auto v = m.get("signature")) {
    map_view s{cx,
               *v,
               "signature",
               {"scheme", "header", "algorithm", "encoding", "prefix", "timestamp_header"}};
    read_text(cx, s, "scheme", out.signature.scheme);
    read_text(cx, s, "header", out.signature.header);
    read_text(cx, s, "algorithm", out.signature.algorithm);
    read_text(cx, s, "encoding", out.signature.encoding);
    read_text(cx, s, "prefix", out.signature.prefix);
    read_text(cx, s, "timestamp_header", out.signature.timestamp_header);
    out.signature.header = ascii_lower(out.signature.header);
    out.signature.timestamp_header = ascii_lower(out.signature.timestamp_header);
    if (out.signature.scheme != "hmac" && out.signature.scheme != "basic")
      cx.error(*v, "bad-value", "signature scheme is hmac or basic");
    if (out.signature.scheme == "basic") out.signature.header = "authorization";
    if (out.signature.scheme == "hmac" && out.signature.header.empty())
      cx.error(*v, "missing-field", "an hmac signature names the `header` that carries it");
    if (out.signature.algorithm != "sha256" && out.signature.algorithm != "sha1")
      cx.error(*v, "bad-value", "signature algorithm is sha256 or sha1");
    if (out.signature.encoding != "hex" && out.signature.encoding != "base64")
      cx.error(*v, "bad-value", "signature encoding is hex or base64");
  }
  if (auto v = m.get("reply")) {
    map_view r{cx, *v, "reply", {"method", "path", "body", "email", "subject"}};
    reply_rule rr;
    read_flag(cx, r, "email", rr.email);
    read_text(cx, r, "method", rr.method);
    read_text(cx, r, "path", rr.path);
    read_text(cx, r, "body", rr.body);
    read_text(cx, r, "subject", rr.subject);
    if (rr.email && rr.subject.empty()) rr.subject = "Re: {subject}";
    if (!rr.email && (rr.path.empty() || rr.body.empty()))
      cx.error(*v, "missing-field", "a reply is `email: true`, or a `path` and a `body` template");
    if (!rr.path.empty() && rr.path.front() != '/')
      cx.error(*v, "bad-value", "a reply's path starts with / (the base URL is configured)");
    for (auto* t : {&rr.path, &rr.body, &rr.subject})
      for (std::sregex_iterator it{t->begin(), t->end(), template_placeholder()}, end; it != end;
           ++it) {
        auto name = (*it)[1].str();
        if (std::find(reply_values.begin(), reply_values.end(), name) == reply_values.end() &&
            !out.attributes.contains(name))
          cx.error(*v, "unknown-name",
                   fmt::format("a reply template uses {{{}}}: neither one of {} nor an attribute "
                               "of this mapping",
                               name, fmt::join(reply_values, ", ")));
      }
    out.reply = rr;
  }
  if (diags.error_count() > errors) return std::nullopt;
  return out;
}

std::variant<mapped_record, std::string> map_record(const intake_mapping& m, const record_view& r) {
  mapped_record out;
  out.info.source = m.source;
  auto& t = out.info;
  if (m.event) {
    auto e = value_of(*m.event, r);
    if (!e) return std::string{"event: no value says which event this is"};
    if (*e != "open" && *e != "ignore" && !find_action(*e))
      return fmt::format("event: `{}` is not an event this source maps", *e);
    out.action = *e;
    if (*e == "ignore") out.ignored = "this event is left alone by this source's mapping";
  }
  for (auto& g : m.ignore)
    if (auto why = ignored_because(g, r); !why.empty() && out.ignored.empty()) {
      out.action = "ignore";
      out.ignored = std::move(why);
    }
  if (out.action == "ignore") return out;  // acknowledged whatever else it says
  if (m.delivery)
    if (auto d = value_of(*m.delivery, r)) out.delivery = *d;
  for (auto& [name, rule] : m.fields) {
    auto v = value_of(rule, r);
    if (!v) continue;
    if (!valid_utf8(*v))
      return fmt::format("{}: not UTF-8 (is the file in another encoding? say `encoding:`)", name);
    if (name == "opened_at" || name == "closed_at") {
      auto at = parse_time(rule, *v);
      if (!at)
        return fmt::format("{}: `{}` is not a time of the form `{}`", name, *v, rule.date_format);
      (name == "opened_at" ? out.opened_at : out.closed_at) = *at;
    } else if (name == "tags") {
      if (rule.split.empty()) {
        t.tags.push_back(*v);
      } else {
        std::string_view rest = *v;
        while (!rest.empty()) {
          auto cut = rest.find(rule.split);
          auto tag = trim(rest.substr(0, cut));
          if (!tag.empty()) t.tags.emplace_back(tag);
          if (cut == std::string_view::npos) break;
          rest.remove_prefix(cut + rule.split.size());
        }
      }
    } else if (name == "order_value") {
      auto money_value = parse_money(*v);
      if (!money_value) return fmt::format("order_value: `{}` is not an amount", *v);
      t.order_value = *money_value;
    } else if (name == "status") {
      auto s = ascii_lower(trim(*v));
      if (s != "open" && s != "resolved" && s != "closed")
        return fmt::format("status: `{}` is none of open, resolved, closed (map it)", *v);
      out.status = s;
    } else {
      if (name == "outcome") {
        out.outcome = std::move(*v);
        continue;
      }
      if (auto* field = text_field(t, name)) *field = std::move(*v);
    }
  }
  for (auto& [name, rule] : m.attributes)
    if (auto v = value_of(rule, r)) {
      if (!valid_utf8(*v)) return fmt::format("{}: not UTF-8", name);
      t.extra[name] = std::move(*v);
    }
  if (t.external_id.empty()) return std::string{"external_id: missing"};
  if (out.action == "open" && t.customer.empty())
    return std::string{"customer: missing (who complains)"};
  if (out.status.empty() && out.closed_at != no_time) out.status = "closed";
  return out;
}

std::string missing_columns(const intake_mapping& m,
                            const std::unordered_map<std::string, size_t>& columns) {
  std::vector<std::string> missing;
  auto check = [&](const value_rule& r) {
    for (auto& c : r.columns)
      if (!columns.contains(c) && std::find(missing.begin(), missing.end(), c) == missing.end())
        missing.push_back(c);
  };
  for (auto& [_, r] : m.fields) check(r);
  for (auto& [_, r] : m.attributes) check(r);
  if (missing.empty()) return {};
  return fmt::format("`{}`", fmt::join(missing, "`, `"));
}

std::optional<inbound_sources> load_sources(const intake_config& c, std::string& error) {
  inbound_sources out;
  for (auto& src : c.sources) {
    diagnostics d;
    std::optional<intake_mapping> m;
    if (auto file = read_source(src.mapping, d)) m = load_mapping(*file, d);
    if (m && m->format != record_format::json)
      d.error(src.mapping, {}, "bad-value", "a webhook source's mapping has format: json");
    if (!m || d.has_errors()) {
      for (auto& x : d.items()) error += to_string(x) + "\n";
      error += fmt::format("the mapping of intake source `{}` has errors", src.name);
      return std::nullopt;
    }
    out[src.name] = {std::move(*m), src.secret, src.reply};
  }
  return out;
}

}  // namespace vocflow::connectors
