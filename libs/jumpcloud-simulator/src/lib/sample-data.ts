// Word lists for synthetic directory data. Kept ASCII on purpose: the non-ASCII cases are
// deliberate edge cases (see EdgeCaseMarkers), so random data never hides them.

export const FIRST_NAMES = [
  'Ada', 'Alan', 'Alice', 'Amir', 'Ana', 'Andre', 'Aisha', 'Ben', 'Bianca', 'Carlos', 'Chen', 'Chloe',
  'Daniel', 'Diego', 'Elena', 'Emeka', 'Emma', 'Fatima', 'Felix', 'Grace', 'Hana', 'Hiro', 'Ines', 'Ivan',
  'James', 'Jonas', 'Julia', 'Kai', 'Karen', 'Lars', 'Leila', 'Liam', 'Lucia', 'Marco', 'Maya', 'Mei',
  'Mohammed', 'Nadia', 'Noah', 'Olga', 'Omar', 'Priya', 'Quinn', 'Rafael', 'Rosa', 'Sam', 'Sara', 'Sofia',
  'Tariq', 'Tom', 'Uma', 'Victor', 'Wei', 'Yara', 'Yusuf', 'Zane',
] as const;

export const LAST_NAMES = [
  'Abbott', 'Adeyemi', 'Anderson', 'Bauer', 'Bianchi', 'Brown', 'Castillo', 'Chowdhury', 'Costa', 'Dubois',
  'Eriksson', 'Fischer', 'Garcia', 'Gupta', 'Haddad', 'Hansen', 'Ivanova', 'Jensen', 'Kim', 'Kowalski',
  'Larsen', 'Lopez', 'Martin', 'Meyer', 'Moreau', 'Nakamura', 'Nguyen', 'Novak', 'Okafor', 'Olsen',
  'Patel', 'Petrov', 'Quispe', 'Rossi', 'Santos', 'Schmidt', 'Silva', 'Singh', 'Tanaka', 'Torres',
  'Ueda', 'Valdez', 'Wagner', 'Walker', 'Wang', 'Weber', 'Xu', 'Yamamoto', 'Yilmaz', 'Zhang',
] as const;

export const DEPARTMENTS = [
  'Engineering', 'Sales', 'Marketing', 'Finance', 'Human Resources', 'Legal', 'Support', 'IT', 'Security',
  'Design', 'Product', 'Operations',
] as const;

export const JOB_TITLES = [
  'Software Engineer', 'Senior Software Engineer', 'Engineering Manager', 'Account Executive', 'Sales Engineer',
  'Marketing Manager', 'Accountant', 'Financial Analyst', 'HR Business Partner', 'Counsel', 'Support Specialist',
  'IT Administrator', 'Security Engineer', 'Product Designer', 'Product Manager', 'Operations Lead',
] as const;

export const EMPLOYEE_TYPES = ['Full-time', 'Full-time', 'Full-time', 'Part-time', 'Contractor', 'Intern'] as const;

export const LOCATIONS = ['Denver', 'London', 'Berlin', 'Bangalore', 'Toronto', 'Sydney', 'Remote'] as const;

export const ORGANIZATION_NAMES = [
  'Acme Corp', 'Globex', 'Initech', 'Umbrella Health', 'Stark Industries', 'Wayne Enterprises',
  'Hooli', 'Vandelay Industries', 'Soylent', 'Tyrell Systems',
] as const;

export const USER_GROUP_NAMES = [
  'Engineering', 'Sales', 'Marketing', 'Finance', 'Human Resources', 'Legal', 'Support', 'IT Operations',
  'Security', 'Design', 'Product', 'Data Science', 'Customer Success', 'Facilities', 'Executives',
  'Contractors', 'Interns', 'VPN Users', 'Developers', 'On-call',
] as const;

export const SYSTEM_GROUP_NAMES = [
  'All Macs', 'Windows Laptops', 'Linux Servers', 'Kiosks', 'Build Agents', 'Finance Devices', 'Lab Machines',
  'Loaners',
] as const;

export interface AppTemplate {
  name: string;
  displayName: string;
  ssoType: 'saml' | 'oidc' | 'bookmark';
}

export const APPLICATION_CATALOG: readonly AppTemplate[] = [
  { name: 'slack', displayName: 'Slack', ssoType: 'saml' },
  { name: 'github', displayName: 'GitHub', ssoType: 'saml' },
  { name: 'googleapps', displayName: 'Google Workspace', ssoType: 'saml' },
  { name: 'salesforce', displayName: 'Salesforce', ssoType: 'saml' },
  { name: 'zoom', displayName: 'Zoom', ssoType: 'saml' },
  { name: 'atlassian', displayName: 'Atlassian Cloud', ssoType: 'saml' },
  { name: 'awssso', displayName: 'AWS IAM Identity Center', ssoType: 'saml' },
  { name: 'box', displayName: 'Box', ssoType: 'saml' },
  { name: 'zendesk', displayName: 'Zendesk', ssoType: 'saml' },
  { name: 'notion', displayName: 'Notion', ssoType: 'saml' },
  { name: 'figma', displayName: 'Figma', ssoType: 'saml' },
  { name: 'datadog', displayName: 'Datadog', ssoType: 'saml' },
  { name: 'pagerduty', displayName: 'PagerDuty', ssoType: 'saml' },
  { name: 'custom-oidc', displayName: 'Internal Portal', ssoType: 'oidc' },
  { name: 'bookmark', displayName: 'Intranet', ssoType: 'bookmark' },
];

export interface OsTemplate {
  osFamily: 'darwin' | 'windows' | 'linux';
  os: string;
  versions: readonly string[];
  arches: readonly string[];
  vendors: readonly string[];
  templateName: string;
  interfaceName: string;
}

export const OS_CATALOG: readonly OsTemplate[] = [
  { osFamily: 'darwin', os: 'Mac OS X', versions: ['13.6.7', '14.5', '15.1'], arches: ['arm64', 'x86_64'], vendors: ['Apple Inc.'], templateName: 'macosx-darwin-x86_64', interfaceName: 'en0' },
  { osFamily: 'windows', os: 'Windows', versions: ['10 Pro 22H2', '11 Pro 23H2', '11 Enterprise 24H2'], arches: ['x64'], vendors: ['Dell Inc.', 'LENOVO', 'HP'], templateName: 'windows-windows-x86_64', interfaceName: 'Ethernet' },
  { osFamily: 'linux', os: 'Ubuntu', versions: ['22.04', '24.04'], arches: ['x86_64', 'aarch64'], vendors: ['Amazon EC2', 'Dell Inc.'], templateName: 'linux-ubuntu-x86_64', interfaceName: 'eth0' },
  { osFamily: 'linux', os: 'Red Hat Enterprise Linux', versions: ['8.10', '9.4'], arches: ['x86_64'], vendors: ['VMware, Inc.'], templateName: 'linux-redhat-x86_64', interfaceName: 'ens192' },
];

export interface PolicyTemplate {
  name: string;
  displayName: string;
  description: string;
  osMetaFamily: 'darwin' | 'windows' | 'linux' | 'universal';
}

/** Policy templates of each OS family (and one for every family), taken in turn by the policies of a dataset. */
export const POLICY_TEMPLATES: readonly PolicyTemplate[] = [
  { name: 'disk_encryption_darwin', displayName: 'FileVault Disk Encryption', description: 'Turns on FileVault and escrows the recovery key', osMetaFamily: 'darwin' },
  { name: 'bitlocker_windows', displayName: 'BitLocker Disk Encryption', description: 'Encrypts the system drive with BitLocker', osMetaFamily: 'windows' },
  { name: 'ssh_root_login_linux', displayName: 'Disable SSH Root Login', description: 'Sets PermitRootLogin no in sshd_config', osMetaFamily: 'linux' },
  { name: 'screen_lock_darwin', displayName: 'Screen Lock', description: 'Locks the screen after 5 minutes of inactivity', osMetaFamily: 'darwin' },
  { name: 'windows_updates_windows', displayName: 'Automatic Windows Updates', description: 'Installs updates automatically', osMetaFamily: 'windows' },
  { name: 'password_complexity_linux', displayName: 'Password Complexity', description: 'Requires long passwords with mixed characters', osMetaFamily: 'linux' },
  { name: 'agent_log_level_universal', displayName: 'Agent Log Level', description: 'Sets the agent log level on every device', osMetaFamily: 'universal' },
];

/** What System Insights' os_version reports per OS and version of OS_CATALOG: build, and the numbers osquery splits out. */
export const OS_VERSION_FACTS: Readonly<Record<string, { name: string; version: string; major: number; minor: number; build: string; platform: string; platformLike: string; codename: string }>> = {
  'Mac OS X 13.6.7': { name: 'macOS', version: '13.6.7', major: 13, minor: 6, build: '22G720', platform: 'darwin', platformLike: 'darwin', codename: '' },
  'Mac OS X 14.5': { name: 'macOS', version: '14.5', major: 14, minor: 5, build: '23F79', platform: 'darwin', platformLike: 'darwin', codename: '' },
  'Mac OS X 15.1': { name: 'macOS', version: '15.1', major: 15, minor: 1, build: '24B83', platform: 'darwin', platformLike: 'darwin', codename: '' },
  'Windows 10 Pro 22H2': { name: 'Microsoft Windows 10 Pro', version: '10.0.19045', major: 10, minor: 0, build: '19045', platform: 'windows', platformLike: 'windows', codename: '' },
  'Windows 11 Pro 23H2': { name: 'Microsoft Windows 11 Pro', version: '10.0.22631', major: 10, minor: 0, build: '22631', platform: 'windows', platformLike: 'windows', codename: '' },
  'Windows 11 Enterprise 24H2': { name: 'Microsoft Windows 11 Enterprise', version: '10.0.26100', major: 10, minor: 0, build: '26100', platform: 'windows', platformLike: 'windows', codename: '' },
  'Ubuntu 22.04': { name: 'Ubuntu', version: '22.04.4 LTS (Jammy Jellyfish)', major: 22, minor: 4, build: '', platform: 'ubuntu', platformLike: 'debian', codename: 'jammy' },
  'Ubuntu 24.04': { name: 'Ubuntu', version: '24.04.1 LTS (Noble Numbat)', major: 24, minor: 4, build: '', platform: 'ubuntu', platformLike: 'debian', codename: 'noble' },
  'Red Hat Enterprise Linux 8.10': { name: 'Red Hat Enterprise Linux', version: '8.10 (Ootpa)', major: 8, minor: 10, build: '', platform: 'rhel', platformLike: 'fedora', codename: '' },
  'Red Hat Enterprise Linux 9.4': { name: 'Red Hat Enterprise Linux', version: '9.4 (Plow)', major: 9, minor: 4, build: '', platform: 'rhel', platformLike: 'fedora', codename: '' },
};
