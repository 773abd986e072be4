"""一元租金·资源换服务: public spaces let to a provider for a symbolic rent in exchange for
services, the service owed each month against what was delivered (memorandum figures,
off the balance sheet), the rent posted as community income (not split 70/25/5), and
package income earned in the space linked to its agreement."""
