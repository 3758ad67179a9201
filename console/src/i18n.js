// The console's words in English and Chinese. The customers' words are never translated.
const words = {
  en: {
    signin: 'Sign in', token: 'Access token', token_hint: 'Kept in this tab only; closing it signs you out.',
    signout: 'Sign out', queue: 'Queue', flows: 'Flows', ops: 'Ops', language: '中文',
    department: 'Department', status: 'Status', topic: 'Topic', priority: 'Priority', channel: 'Channel',
    any: 'any', search: 'Search (id, customer, words)', mine: 'Mine only', next_page: 'Next page',
    first_page: 'First page', tickets: 'tickets', id: 'Ticket', subject: 'Subject', customer: 'Customer',
    category: 'Category', step: 'Step', assignee: 'Assignee', deadline: 'Next deadline', owner: 'Owner',
    late: 'breached', warned: 'warned', nobody: '—', complaint: "The customer's words", history: 'History',
    deadlines: 'Deadlines', actions: 'Actions', linked: 'Linked', contacts: 'Contacts', problem: 'Problem',
    other_tickets: "This customer's tickets", text: 'Text', to: 'To', amount: 'Amount', send: 'Send',
    cancel: 'Cancel', refused: 'Refused', limit: 'Your limit', approval_above: 'Above it, use “request compensation”; approvers: {approver}.',
    granted: 'Granted so far', no_limit: 'Your role may not grant compensation on this flow.',
    unlimited: 'Your role approves any amount.', back: '← Queue', shortcuts: 'Keys: j/k move · Enter open · / search · Esc back · r respond · h hand off · g grant · c claim',
    flow: 'Flow', version: 'Version', editor: 'Edit the flow', validate_ok: 'No errors: ready to deploy.',
    deploy: 'Deploy', deployed: 'Deployed {flow}', scenario: 'Scenario', run: 'Run scenario',
    open_tickets: 'open', breached_n: 'breached', alerts: 'Live warnings, breaches and escalations',
    kpis: 'KPIs', group_by: 'Group by', from: 'From', to_date: 'To', topics: 'Topics', series: 'Complaints per day',
    spikes: 'Spikes', markers: 'Markers', problems: 'Open problems', digest: 'Weekly digest', week: 'Week',
    refresh: 'Refresh', none: 'Nothing here.', tasks: 'Tasks', errors: 'errors', checks: 'Checks',
    first_response: 'First response', resolution: 'Resolution', fcr: 'First-contact resolution', reopen: 'Reopened',
    breaches: 'Breaches (in period)', warnings: 'Warnings (in period)', escalations: 'Escalations (in period)',
    group: 'Group', cycle: 'Cycle p50', compensation: 'Compensation', sentiment: 'Post-interaction sentiment',
    now: 'Server time', role: 'Role', signed_in_as: 'Signed in as',
    what_if: 'What if: replay history under this text', days: 'days of history', replay: 'Replay',
    recorded: 'Recorded', replayed: 'Replayed', change: 'Change', changed_n: 'Outcomes changed on {n} of {of} tickets',
    impossible_n: 'Actions this text does not allow: {n}', audit: 'Figures to look at again (audit)',
  },
  zh: {
    signin: '登录', token: '访问令牌', token_hint: '仅保存在此标签页；关闭即退出。',
    signout: '退出', queue: '工单队列', flows: '流程', ops: '运营', language: 'English',
    department: '部门', status: '状态', topic: '话题', priority: '优先级', channel: '渠道',
    any: '全部', search: '搜索（编号、客户、关键词）', mine: '只看我的', next_page: '下一页',
    first_page: '第一页', tickets: '张工单', id: '工单', subject: '摘要', customer: '客户',
    category: '类别', step: '步骤', assignee: '处理人', deadline: '最近时限', owner: '负责部门',
    late: '已超时', warned: '预警', nobody: '—', complaint: '客户原话', history: '处理记录',
    deadlines: '时限', actions: '操作', linked: '关联', contacts: '联系次数', problem: '问题单',
    other_tickets: '该客户的工单', text: '内容', to: '转给', amount: '金额', send: '提交',
    cancel: '取消', refused: '被拒绝', limit: '您的额度', approval_above: '超出额度请用“申请补偿”，审批人：{approver}。',
    granted: '已发放', no_limit: '您的角色在此流程中不能发放补偿。',
    unlimited: '您的角色可审批任意金额。', back: '← 队列', shortcuts: '快捷键：j/k 移动 · Enter 打开 · / 搜索 · Esc 返回 · r 回复 · h 转交 · g 补偿 · c 认领',
    flow: '流程', version: '版本', editor: '编辑流程', validate_ok: '没有错误，可以发布。',
    deploy: '发布', deployed: '已发布 {flow}', scenario: '场景', run: '运行场景',
    open_tickets: '进行中', breached_n: '超时', alerts: '实时预警、超时与升级',
    kpis: '指标', group_by: '分组', from: '从', to_date: '到', topics: '话题', series: '每日投诉',
    spikes: '突增', markers: '标记', problems: '未解决的问题单', digest: '每周摘要', week: '周',
    refresh: '刷新', none: '暂无。', tasks: '任务', errors: '个错误', checks: '检查',
    first_response: '首次响应', resolution: '解决', fcr: '首次联系解决率', reopen: '重开',
    breaches: '超时（期间内）', warnings: '预警（期间内）', escalations: '升级（期间内）',
    group: '分组', cycle: '周期中位数', compensation: '补偿', sentiment: '互动后情绪',
    now: '服务器时间', role: '角色', signed_in_as: '当前用户',
    what_if: '假如：按此文本重放历史', days: '天的历史', replay: '重放',
    recorded: '记录', replayed: '重放', change: '变化', changed_n: '{of} 张工单中 {n} 张结果改变',
    impossible_n: '此文本不允许的操作：{n}', audit: '需要复核的指标（审计）',
  },
};

const actions = {
  zh: {
    respond: '回复客户', ask_customer: '询问客户', note: '内部备注', hand_off: '转交部门',
    grant_compensation: '发放补偿', request_compensation: '申请补偿', approve_compensation: '批准补偿',
    reject_compensation: '拒绝补偿', resolve: '解决', assign: '认领', complete_task: '完成任务',
    wait_supplier: '等待供应商', supplier_reply: '供应商已回复', customer_reply: '客户已回复',
    reopen: '重开', confirm: '客户确认', feedback: '客户评价', reclassify: '重新分类',
  },
};

let lang = localStorage.getItem('vocflow.lang') || (navigator.language.startsWith('zh') ? 'zh' : 'en');

export function t(key, vars = {}) {
  let s = (words[lang] && words[lang][key]) || words.en[key] || key;
  for (const [k, v] of Object.entries(vars)) s = s.replace(`{${k}}`, v);
  return s;
}

// An action's name for people: Chinese when asked, else its own name in words.
export function actionName(name) {
  if (lang === 'zh' && actions.zh[name]) return actions.zh[name];
  return name.replaceAll('_', ' ');
}

export function language() {
  return lang;
}

export function switchLanguage() {
  lang = lang === 'en' ? 'zh' : 'en';
  localStorage.setItem('vocflow.lang', lang);
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
}
